// The action's entry point (bundled to dist/index.js). It re-runs itself once with heap limits
// (the runner starts `node dist/index.js` with no flags), then only calls run().
import { reexecWithHeapLimits } from '../runtime/heap-limits.ts';

if (!reexecWithHeapLimits('salesforce-backup-action')) {
  const core = await import('@actions/core');
  const { describeFailure } = await import('../runtime/errors.ts');
  const { run } = await import('./run.ts');
  await run().catch((err: unknown) => core.setFailed(describeFailure(err)));
}
