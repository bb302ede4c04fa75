// Test knobs of the SOQL engine and REST query cursors, under /__emu/soql.
import { controlBody } from '../control/routes.ts';
import { ApiError, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { closeAllCursors, openCursors, soqlSettings } from './cursors.ts';

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ApiError(400, 'BAD_REQUEST', `${name} must be a positive integer`);
  return v;
}

export function registerSoqlControl(router: Router): void {
  const opts = { scope: 'any' as const };

  // Settings: childBatchSize (child rows inlined per parent), and the shared REST query settings
  // (defaultBatchSize, cursorIdleMs, maxOpenCursorsPerUser).
  router.add(
    'POST',
    '/__emu/soql',
    async (ctx) => {
      const b = await controlBody(ctx);
      const settings = soqlSettings(ctx.state);
      const query = ctx.state.query;
      const child = positiveInt(b.childBatchSize, 'childBatchSize');
      if (child !== undefined) settings.childBatchSize = child;
      const batch = positiveInt(b.defaultBatchSize, 'defaultBatchSize');
      if (batch !== undefined) query.defaultBatchSize = batch;
      const idle = positiveInt(b.cursorIdleMs, 'cursorIdleMs');
      if (idle !== undefined) query.cursorIdleMs = idle;
      const max = positiveInt(b.maxOpenCursorsPerUser, 'maxOpenCursorsPerUser');
      if (max !== undefined) query.maxOpenCursorsPerUser = max;
      sendJson(ctx.res, 200, { ...settings, ...query });
    },
    opts,
  );

  router.add('GET', '/__emu/soql/cursors', (ctx) => sendJson(ctx.res, 200, openCursors(ctx.state)), opts);

  // Invalidates every open cursor: the next locator request answers INVALID_QUERY_LOCATOR.
  router.add(
    'DELETE',
    '/__emu/soql/cursors',
    (ctx) => {
      sendJson(ctx.res, 200, { closed: closeAllCursors(ctx.state) });
    },
    opts,
  );
}
