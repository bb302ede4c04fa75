// The settings a run takes from its caller, as zod fragments both entry points validate with: the
// action's inputs (src/action/inputs.ts) and the CLI's flags (src/cli/commands/*). Values arrive
// as text either way (`with:` values, command-line words), so one fragment reads `10%` the same
// from both, and its error says what a good value looks like.
import { z } from 'zod';
import { DEFAULT_STATUS_BRANCH } from '../status/layout.ts';

export const optionalText = z.string().trim().min(1).optional();

export const intIn = (min: number, max: number, example: string) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max} — e.g. ${example}` })
    .int({ error: `must be a whole number — e.g. ${example}` })
    .min(min)
    .max(max);

/** `10%`, `10` or `0.1` all mean a tenth. */
export const share = (example: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const pct = v.endsWith('%');
      const n = Number(pct ? v.slice(0, -1) : v);
      const value = pct || n > 1 ? n / 100 : n;
      if (!Number.isFinite(n) || value <= 0 || value > 1) {
        ctx.addIssue({ code: 'custom', message: `must be a percentage above 0 and up to 100 — e.g. ${example}` });
        return z.NEVER;
      }
      return value;
    });

/** `true`/`false` as the action's inputs spell booleans; the CLI passes a given switch as `true`. */
export const flag = (name: string) => z.enum(['true', 'false'], { error: `must be true or false — e.g. ${name}: true` }).transform((v) => v === 'true');

export const aliasSetting = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'must be letters, digits, - or _ — e.g. prod' });

export const branchSetting = (example: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._/-]+$/, { error: `must be a branch name — e.g. ${example}` });

/** How one backup run behaves, whichever entry point starts it. Defaults are the entry point's. */
export const backupRunFields = {
  fullEvery: intIn(1, 1000, '7'),
  apiBudgetShare: share('50%'),
  massDeleteThreshold: share('10%'),
  massDeleteMinRows: intIn(0, 1_000_000_000, '100'),
  allowShrink: flag('allow-shrink'),
  keep: intIn(1, 10_000, '7'),
};

/** Where the token lifecycle reports: the status branch, per-org issues, and who may write secrets. */
export const lifecycleFields = {
  /** Writes rotated refresh tokens and rotate-app's credentials; GITHUB_TOKEN cannot (docs/github-token.md). */
  secretsToken: optionalText,
  statusBranch: branchSetting(DEFAULT_STATUS_BRANCH).default(DEFAULT_STATUS_BRANCH),
  /** The status branch's git remote; the backup branch's remote, then this repository, by default. */
  statusRemote: optionalText,
  publishStatus: flag('publish-status'),
  redactStatus: flag('redact-status').default(false),
  openIssues: flag('open-issues'),
  /** Minutes to wait for a Connected App Salesforce does not know yet. */
  appPendingWindow: intIn(0, 60, '10'),
  refreshTokenMaxAgeDays: intIn(1, 3650, '90').optional(),
};

/** `A, B,,C` → `['A','B','C']`; undefined when nothing is left (a setting left empty). */
export function commaList(v: string | undefined): string[] | undefined {
  const items = v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}
