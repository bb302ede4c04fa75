// From the config's secret NAMES to credentials, through the `secrets: ${{ toJSON(secrets) }}` map.
// Errors name the missing secret and how to add it; they never print a value.
import { z } from 'zod';
import type { SecretTarget } from '../github/contracts.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { DEFAULT_API_VERSION, type OrgCredentials } from './credentials.ts';
import { ConfigError } from './load.ts';
import type { ScheduleConfig } from './schedule.ts';
import {
  type BackupConfig,
  DEFAULT_CLIENT_ID_SECRET,
  DEFAULT_CLIENT_SECRET_SECRET,
  loginUrlForType,
  type OrgConfig,
  type OrgStorageConfig,
  type SecretsScopeConfig,
} from './schema.ts';

export type SecretsMap = Record<string, string>;

// biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression the user types, not a JS template
const PASS_SECRETS = 'secrets: ${{ toJSON(secrets) }}';

const secretsMapSchema = z.record(z.string(), z.unknown());

/** Parses the `secrets` input. The message never quotes the text: it is full of secret values. */
export function parseSecretsMap(text: string): SecretsMap {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: 'The secrets input is not JSON.',
      remedy: `Pass it exactly as ${PASS_SECRETS}.`,
    });
  }
  const parsed = secretsMapSchema.safeParse(data);
  if (!parsed.success) {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: 'The secrets input is not a JSON object of secret names to values.',
      remedy: `Pass it exactly as ${PASS_SECRETS}.`,
    });
  }
  const out: SecretsMap = {};
  for (const [k, v] of Object.entries(parsed.data)) if (typeof v === 'string') out[k] = v;
  return out;
}

export interface ResolvedOrg {
  alias: string;
  type: string;
  credentials: OrgCredentials;
  /** Every secret value this org uses: mask them all before logging anything. */
  secretValues: string[];
  objects: { include?: string[]; exclude?: string[] };
  fieldsExclude: string[];
  storage: OrgStorageConfig | undefined;
  /** How often the org's backups are expected, when the config says (org, else defaults). */
  schedule?: ScheduleConfig;
  /**
   * Where this org's secrets live (org setting, else defaults, else the repository). Absent when the
   * org came from action inputs rather than the config: then nobody said which secrets hold them.
   */
  secretsScope?: SecretsScopeConfig;
  /** The secrets to write rotated or re-authorized credentials to; `repository` is `owner/repo` (GITHUB_REPOSITORY). Absent as above. */
  secretTargets?: (repository: string) => OrgSecretTargets;
}

/** The three secrets of one org, as places a SecretWriter can write to. */
export interface OrgSecretTargets {
  refreshToken: SecretTarget;
  clientId: SecretTarget;
  clientSecret: SecretTarget;
}

interface SecretNames {
  refreshToken: { name: string; key: string };
  clientId: { name: string; key: string };
  clientSecret: { name: string; key: string };
}

/** The org's secret names and the config key each came from (for messages). */
function secretNames(config: BackupConfig, org: OrgConfig): SecretNames {
  const i = config.orgs.indexOf(org);
  return {
    refreshToken: { name: org['refresh-token-secret'], key: `orgs[${i}].refresh-token-secret` },
    clientId: {
      name: org['client-id-secret'] ?? config.defaults?.['client-id-secret'] ?? DEFAULT_CLIENT_ID_SECRET,
      key: org['client-id-secret'] ? `orgs[${i}].client-id-secret` : 'client-id-secret (default)',
    },
    clientSecret: {
      name: org['client-secret-secret'] ?? config.defaults?.['client-secret-secret'] ?? DEFAULT_CLIENT_SECRET_SECRET,
      key: org['client-secret-secret'] ? `orgs[${i}].client-secret-secret` : 'client-secret-secret (default)',
    },
  };
}

export function secretsScopeOf(config: BackupConfig, org: OrgConfig): SecretsScopeConfig {
  return org['secrets-scope'] ?? config.defaults?.['secrets-scope'] ?? { kind: 'repository' };
}

/**
 * Where each of the org's secrets is written: the repository `owner/repo` (GITHUB_REPOSITORY), one
 * of its environments, or the organization that owns it. Needs no secret values (`sfbackup reauth`
 * has none yet).
 */
export function resolveSecretTargets(config: BackupConfig, org: OrgConfig, repository: string): OrgSecretTargets {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(repository.trim());
  if (!m?.[1] || !m[2]) {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: `The repository "${repository}" is not owner/name, so the secrets of org "${org.alias}" cannot be located.`,
      remedy: 'Run inside GitHub Actions (GITHUB_REPOSITORY is set there), or set GITHUB_REPOSITORY=owner/name for the repository that holds the secrets.',
    });
  }
  const owner = m[1];
  const repo = m[2];
  const scope = secretsScopeOf(config, org);
  const names = secretNames(config, org);
  const target = (name: string): SecretTarget => {
    if (scope.kind === 'environment') return { scope: 'environment', owner, repo, environment: scope.environment, name };
    if (scope.kind === 'organization') return { scope: 'organization', org: owner, name, ...(scope.visibility ? { visibility: scope.visibility } : {}) };
    return { scope: 'repository', owner, repo, name };
  };
  return { refreshToken: target(names.refreshToken.name), clientId: target(names.clientId.name), clientSecret: target(names.clientSecret.name) };
}

export function selectOrg(config: BackupConfig, alias: string | undefined, file: string): OrgConfig {
  const aliases = config.orgs.map((o) => o.alias);
  if (!alias) {
    if (config.orgs.length === 1) return config.orgs[0] as OrgConfig;
    throw new ConfigError(
      [`${file} lists ${config.orgs.length} orgs (${aliases.join(', ')}) and no org was chosen`],
      'Set the org input to one alias (a matrix over the aliases runs one job per org).',
    );
  }
  const org = config.orgs.find((o) => o.alias.toLowerCase() === alias.toLowerCase());
  if (!org) {
    throw new ConfigError([`${file} has no org with alias "${alias}" (it lists ${aliases.join(', ')})`], `Use one of: ${aliases.join(', ')}.`);
  }
  return org;
}

/**
 * Who hands the secret values over: the action's `secrets` input (`${{ toJSON(secrets) }}`), or the
 * environment of `sfbackup` (a variable named as the secret).
 */
export type SecretsSource = 'action' | 'environment';

export function resolveOrg(
  config: BackupConfig,
  org: OrgConfig,
  secrets: SecretsMap,
  file: string,
  apiVersion = DEFAULT_API_VERSION,
  source: SecretsSource = 'action',
): ResolvedOrg {
  const names = secretNames(config, org);
  const missing = Object.values(names).filter((n) => !secrets[n.name]);
  if (missing.length > 0 && source === 'environment') {
    throw new ConfigError(
      missing.map((m) => `${file}: org "${org.alias}" needs the secret ${m.name} (${m.key}), and no environment variable ${m.name} is set`),
      `Set ${missing.length > 1 ? 'the environment variables' : 'the environment variable'} ${missing.map((m) => m.name).join(', ')} to the secret's value (for example \`${missing[0]?.name}=… sfbackup backup --config ${file} --org ${org.alias}\`), or fix the name in the config.`,
      'missing_secret',
    );
  }
  if (missing.length > 0) {
    const none = Object.keys(secrets).length === 0;
    throw new ConfigError(
      missing.map((m) => `${file}: org "${org.alias}" needs the secret ${m.name} (${m.key}), which is not among the secrets passed to the action`),
      none
        ? `No secrets reached the action: add \`${PASS_SECRETS}\` to the step, and create the secrets named above (Settings → Secrets and variables → Actions, or \`gh secret set NAME\`).`
        : `Create the secret${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')} (Settings → Secrets and variables → Actions → New repository secret, or \`gh secret set ${missing[0]?.name}\`), or fix the name in the config. Environment secrets reach the action only when the job names that environment.`,
      'missing_secret',
    );
  }
  const value = (n: { name: string }) => (secrets[n.name] as string).trim();
  const credentials: OrgCredentials = {
    loginUrl: loginUrlForType(org.type),
    clientId: value(names.clientId),
    clientSecret: value(names.clientSecret),
    refreshToken: value(names.refreshToken),
    apiVersion,
  };
  return {
    alias: org.alias,
    type: org.type,
    credentials,
    secretValues: [credentials.clientId, credentials.clientSecret, credentials.refreshToken],
    objects: { ...org.objects },
    fieldsExclude: [...(config.defaults?.fields?.exclude ?? []), ...(org.fields?.exclude ?? [])],
    storage: org.storage ?? config.defaults?.storage,
    ...((org.schedule ?? config.defaults?.schedule) ? { schedule: (org.schedule ?? config.defaults?.schedule) as ScheduleConfig } : {}),
    secretsScope: secretsScopeOf(config, org),
    secretTargets: (repository) => resolveSecretTargets(config, org, repository),
  };
}
