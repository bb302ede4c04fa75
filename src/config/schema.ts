// The org config file (default `.github/salesforce-backup.yml`): which orgs to back up, the NAMES of
// the secrets that hold their credentials (never the values), what to leave out and where the
// snapshots go. Validated with zod; src/config/load.ts maps problems back to file lines.
import { z } from 'zod';
import { knownLoginHosts, type LoginHosts } from './credentials.ts';
import { scheduleConfigSchema } from './schedule.ts';

export const DEFAULT_CONFIG_FILE = '.github/salesforce-backup.yml';
export const DEFAULT_CLIENT_ID_SECRET = 'SF_CLIENT_ID';
export const DEFAULT_CLIENT_SECRET_SECRET = 'SF_CLIENT_SECRET';

export const LOGIN_URLS = { production: 'https://login.salesforce.com', sandbox: 'https://test.salesforce.com' } as const;

const TYPE_MESSAGE = 'must be production, sandbox or a https My Domain URL — e.g. type: sandbox';

/** Plain http is only accepted for a server on this machine (the emulator, a local proxy). */
function isLocalHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export const orgTypeSettingSchema = z.string({ error: TYPE_MESSAGE }).superRefine((value, ctx) => {
  if (value === 'production' || value === 'sandbox') return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: TYPE_MESSAGE });
    return;
  }
  if (url.protocol !== 'https:' && !isLocalHttp(url)) ctx.addIssue({ code: 'custom', message: TYPE_MESSAGE });
  else if (url.hostname.endsWith('.lightning.force.com'))
    ctx.addIssue({ code: 'custom', message: 'is a Lightning URL; use the My Domain URL — e.g. type: https://acme.my.salesforce.com' });
});

/** `production` → login.salesforce.com, `sandbox` → test.salesforce.com, a URL → itself without a trailing slash. */
export function loginUrlForType(type: string, env: NodeJS.ProcessEnv = process.env): string {
  if (type === 'production' || type === 'sandbox') {
    // Salesforce's host, or the pair SFBACKUP_LOGIN_HOSTS names (the emulator's).
    const hosts = knownLoginHosts(env);
    return hosts.length > 1 ? (hosts[hosts.length - 1] as LoginHosts)[type] : LOGIN_URLS[type];
  }
  return type.replace(/\/+$/, '');
}

const secretName = z
  .string({ error: 'must be the name of a GitHub secret — e.g. SF_REFRESH_TOKEN_PROD' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of a GitHub secret (letters, digits, _) — e.g. SF_REFRESH_TOKEN_PROD' });

/** Object API names; `*` and `?` make patterns (`*__c`, `*History`). */
const apiName = z.string().regex(/^[A-Za-z*?][A-Za-z0-9_*?]*$/, { error: 'must be an object API name or pattern — e.g. Account, Invoice__c or *History' });

/** `Object.Field` or `*.Field` (that field on every object); patterns allowed on both sides. */
const fieldRef = z.string().regex(/^[A-Za-z*?][A-Za-z0-9_*?]*\.[A-Za-z*?][A-Za-z0-9_*?]*$/, { error: 'must be Object.Field or *.Field — e.g. Contact.SSN__c' });

export const STORAGE_KINDS = ['local', 'artifact', 'branch'] as const;

export const storageSchema = z
  .object({
    kind: z.enum(STORAGE_KINDS, { error: 'must be local, artifact or branch — e.g. kind: branch' }),
    dir: z.string().min(1).optional(),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+$/, { error: 'must be a branch name — e.g. branch: salesforce-backups' })
      .optional(),
    'artifact-name': z
      .string()
      .regex(/^[^"<>|*?\r\n\\/:]+$/, { error: 'must be an artifact name without " : < > | * ? \\ / — e.g. artifact-name: sf-backup-prod' })
      .optional(),
    'retention-days': z.number({ error: 'must be a number of days from 1 to 90 — e.g. retention-days: 30' }).int().min(1).max(90).optional(),
    /** Local folder: dated snapshots kept per org (the newest N; pinned ones on top). */
    keep: z.number({ error: 'must be a whole number of snapshots, at least 1 — e.g. keep: 7' }).int().min(1).max(10_000).optional(),
  })
  .strict();

export type OrgStorageConfig = z.output<typeof storageSchema>;

export const SECRET_SCOPES = ['repository', 'environment', 'organization'] as const;

const SCOPE_MESSAGE = 'must be repository, environment or organization — e.g. secrets-scope: repository';
const ENVIRONMENT_EXAMPLE = 'e.g. secrets-scope: { kind: environment, environment: salesforce-prod }';

/**
 * Where the org's secrets live, so rotated tokens are written back to the same place: the
 * repository (default), one of its environments, or the organization. A bare word is shorthand
 * for `{ kind: <word> }`.
 */
export const secretsScopeSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { kind: v } : v),
  z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('repository') }).strict(),
      z
        .object({
          kind: z.literal('environment'),
          environment: z
            .string({ error: `must name the environment that holds the secrets — ${ENVIRONMENT_EXAMPLE}` })
            .min(1, { error: `must name the environment that holds the secrets — ${ENVIRONMENT_EXAMPLE}` })
            .max(255)
            .regex(/^[^\r\n\t]+$/, { error: `must be an environment name on one line — ${ENVIRONMENT_EXAMPLE}` }),
        })
        .strict(),
      z
        .object({
          kind: z.literal('organization'),
          visibility: z.enum(['all', 'private', 'selected'], { error: 'must be all, private or selected — e.g. visibility: private' }).optional(),
        })
        .strict(),
    ],
    { error: SCOPE_MESSAGE },
  ),
);

export type SecretsScopeConfig = z.output<typeof secretsScopeSchema>;

const orgSchema = z
  .object({
    alias: z.string({ error: 'is required — e.g. alias: prod' }).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
      error: 'must be letters, digits, - or _ (it names folders and jobs) — e.g. alias: prod',
    }),
    type: orgTypeSettingSchema,
    'refresh-token-secret': secretName,
    'client-id-secret': secretName.optional(),
    'client-secret-secret': secretName.optional(),
    objects: z
      .object({
        include: z.array(apiName).optional(),
        exclude: z.array(apiName).optional(),
      })
      .strict()
      .optional(),
    fields: z
      .object({ exclude: z.array(fieldRef).optional() })
      .strict()
      .optional(),
    storage: storageSchema.optional(),
    'secrets-scope': secretsScopeSchema.optional(),
    /** How often its backups run, for the status page's lateness check (default: the workflow's cron). */
    schedule: scheduleConfigSchema.optional(),
  })
  .strict();

export type OrgConfig = z.output<typeof orgSchema>;

export const configSchema = z
  .object({
    version: z.literal(1, { error: 'must be 1 (the only config version so far)' }).optional(),
    defaults: z
      .object({
        'client-id-secret': secretName.optional(),
        'client-secret-secret': secretName.optional(),
        storage: storageSchema.optional(),
        'secrets-scope': secretsScopeSchema.optional(),
        schedule: scheduleConfigSchema.optional(),
        fields: z
          .object({ exclude: z.array(fieldRef).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    orgs: z
      .array(orgSchema, { error: 'must be a list of orgs — e.g. orgs: [{alias: prod, type: production, refresh-token-secret: SF_REFRESH_TOKEN_PROD}]' })
      .min(1, {
        error: 'must list at least one org',
      }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.orgs.forEach((org, i) => {
      const first = seen.get(org.alias.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['orgs', i, 'alias'], message: `repeats the alias of orgs[${first}]; every org needs its own alias` });
      } else seen.set(org.alias.toLowerCase(), i);
    });
  });

export type BackupConfig = z.output<typeof configSchema>;
