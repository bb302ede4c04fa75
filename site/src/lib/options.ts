// What one build of the status site is told: where the data is, where the pages go, and the few
// choices a team makes (the Pages base path, the public URL, redaction, the freshness window).
// Validated once by the build script; the pages get the parsed options with the model.
import { z } from 'zod';

const HOUR_S = 3600;

/** `36h`, `90m`, `2d`, `45s` or a bare number of seconds → seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: HOUR_S, d: 24 * HOUR_S }[(m[2] ?? '').toLowerCase()] ?? 1;
  const value = Number(m[1]) * unit;
  return value > 0 ? value : undefined;
}

/** `50%` or `0.5` → 0.5. */
export function parseShare(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const value = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  return value >= 0 && value <= 10 ? value : undefined;
}

/** `/repo` → `/repo/`; `` → `/`. Only absolute paths: the site's own links are relative anyway. */
export function normalizeBase(base: string): string {
  let b = base.trim();
  if (!b.startsWith('/')) b = `/${b}`;
  if (!b.endsWith('/')) b = `${b}/`;
  return b.replace(/\/{2,}/g, '/');
}

export const siteOptionsSchema = z.object({
  /** A checkout of the status branch: campaigns.json and orgs/<alias>/{status,history}.json. */
  dataDir: z.string().min(1),
  outDir: z.string().min(1),
  /** The path the site is served under: `/<repo>/` for a project Pages site, `/` for a custom domain. */
  base: z.string().default('/'),
  /** The public origin (`https://acme.github.io`), for the feed's and badges' absolute links; null when unknown. */
  site: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://acme.github.io' })
    .nullable()
    .default(null),
  /** "Now" for ages and lateness: the build time, injectable so a build is reproducible. */
  now: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-01-31T08:00:00Z' }),
  /** Redact every org, whatever its data says (data written before redact-status was turned on). */
  redact: z.boolean().default(false),
  /** Expected time between backups when neither the data nor the history says; seconds. */
  intervalS: z
    .number()
    .positive()
    .default(24 * HOUR_S),
  /** Grace past the interval before an org is late, as a share of the interval. */
  graceShare: z.number().nonnegative().default(0.5),
  /** Rows deleted in one run, as a share of the previous snapshot, that count as a mass delete. */
  massDeleteShare: z.number().positive().default(0.1),
  /** …and at least this many rows (small objects churn). */
  massDeleteMinRows: z.number().int().nonnegative().default(100),
  /** `owner/repo` of the backup repository, for the exact commands; null leaves `--repo` to the reader. */
  repo: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must be owner/name' })
    .nullable()
    .default(null),
  /** The backup workflow's file name, for `gh workflow run`. */
  workflow: z.string().default('backup.yml'),
  title: z.string().min(1).default('Salesforce backups'),
});

export type SiteOptionsInput = z.input<typeof siteOptionsSchema>;
export type SiteOptions = z.output<typeof siteOptionsSchema>;
