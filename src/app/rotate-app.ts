// `rotate-app`, shared by the action (`command: rotate-app`) and `sfbackup rotate-app`: a new
// Connected App consumer key and secret go into the secrets the org config names, and every org
// whose refresh token was issued by the old app starts a re-authorization campaign (n of m done).
//
// Which orgs used the old app is decided by the consumer key each org is configured with, seen
// only as its fingerprint: the value of its client-id secret (the action's `secrets` map), else
// the fingerprint the status branch last recorded for it, else an old key given explicitly. Orgs
// sharing one client-id secret necessarily share the app, so they are decided together. Orgs of
// any other app are left alone: their secrets are not written and they join no campaign.
import { type BackupConfig, DEFAULT_CLIENT_ID_SECRET, loginUrlForType, type OrgConfig, resolveSecretTargets, type SecretsMap } from '../config/index.ts';
import { describeSecretTarget, type SecretTarget, type SecretWriter } from '../github/contracts.ts';
import { SecretWriteError } from '../github/errors.ts';
import { type OrgIssueAction, type RepoRef, syncOrgIssue } from '../github/issues.ts';
import type { Octokit } from '../github/octokit.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { ProductError } from '../runtime/errors.ts';
import { appFingerprint } from '../salesforce/auth/app-fingerprint.ts';
import { type AuthOutcome, type OrgRef, reauthCommand, redact, remedyFor } from '../salesforce/auth/outcome.ts';
import { readPublishedStatus } from '../status/fetch.ts';
import { type Campaign, campaignProgress, isOpen, loginHostOf, type OrgRun, orgTypeOf, startCampaign } from '../status/index.ts';
import { publishStatus } from '../status/publish.ts';
import type { StorageContext } from '../storage/config.ts';

/** A rotation that cannot (or must not) go ahead; nothing was written. */
export class RotateAppError extends MisconfiguredError {}

/** Some secrets were written before one failed: says which, so a person can finish by hand. */
export class RotateAppWriteError extends ProductError<'secret_write_failed'> {
  override readonly name = 'RotateAppWriteError';
  readonly written: SecretTarget[];
  readonly failed: SecretTarget;
  /** For exit codes: a permission or name problem needs a setting changed; an outage does not. */
  readonly state: 'misconfigured' | 'transient';
  constructor(failed: SecretTarget, written: SecretTarget[], cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const causeRemedy = cause instanceof ProductError ? cause.remedy : '';
    const done = written.length ? ` Already written: ${written.map(describeSecretTarget).join('; ')}.` : ' Nothing was written.';
    // A SecretWriteError already names the secret; anything else gets it named here.
    const what = why.includes(failed.name) ? why : `could not write the ${describeSecretTarget(failed)}: ${why}`;
    super({
      reason: 'secret_write_failed',
      message: `rotate-app stopped: ${what.replace(/\.$/, '')}.${done}`,
      remedy: `${causeRemedy ? `${causeRemedy} ` : ''}Then run rotate-app again with the same key and secret: writing them again is harmless.`,
      cause: new Error(why),
    });
    this.failed = failed;
    this.written = written;
    this.state = cause instanceof SecretWriteError && cause.retryable ? 'transient' : 'misconfigured';
  }
}

/** The secrets were written, but the re-authorization campaign could not be published to the status branch. */
export class CampaignNotPublishedError extends ProductError<'campaign_not_published'> {
  override readonly name = 'CampaignNotPublishedError';
  readonly state = 'failed';
  constructor(message: string, remedy: string) {
    super({ reason: 'campaign_not_published', message, remedy });
  }
}

export interface RotateAppPlanInput {
  config: BackupConfig;
  /** `owner/name` of the repository whose secrets (or whose organization's) the config names. */
  repository: string;
  newClientId: string;
  /** The action's `secrets: ${{ toJSON(secrets) }}`: each org's current consumer key. */
  secrets?: SecretsMap;
  /** The old app's consumer key when it is known (the CLI's --old-client-id, SF_CLIENT_ID). */
  oldClientId?: string;
  /** What the status branch last recorded, alias → app fingerprint. */
  published?: ReadonlyMap<string, string | null>;
  /** The campaigns on the status branch: orgs already waiting for the new app are not campaigned twice. */
  campaigns?: readonly Campaign[];
}

export interface RotateAppOrg {
  alias: string;
  /** As the config says: production, sandbox or a My Domain URL. */
  type: string;
  loginUrl: string;
  /** `login.salesforce.com`, `acme.my.salesforce.com`, … */
  loginHost: string;
  refreshTokenSecret: string;
  clientId: SecretTarget;
  clientSecret: SecretTarget;
  /** The exact command that re-authorizes it. */
  reauthCommand: string;
}

export interface UntouchedOrg {
  alias: string;
  /** The app it uses, when known. */
  fingerprint: string | null;
  why: string;
}

export interface RotateAppPlan {
  previousFingerprint: string;
  newFingerprint: string;
  /** The orgs of the old app, by alias: they need re-authorizing. */
  orgs: RotateAppOrg[];
  untouched: UntouchedOrg[];
  /** Every distinct secret to write, client ids first; each holds the new key or the new secret. */
  writes: Array<{ target: SecretTarget; holds: 'client-id' | 'client-secret' }>;
}

function targetKey(t: SecretTarget): string {
  const where =
    t.scope === 'repository' ? `repo:${t.owner}/${t.repo}` : t.scope === 'environment' ? `env:${t.owner}/${t.repo}:${t.environment}` : `org:${t.org}`;
  return `${where}:${t.name}`.toLowerCase();
}

function lookup(secrets: SecretsMap | undefined, name: string): string | undefined {
  if (!secrets) return undefined;
  const exact = secrets[name] ?? Object.entries(secrets).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return exact?.trim() ? exact : undefined;
}

interface Group {
  key: string;
  target: SecretTarget;
  orgs: OrgConfig[];
  /**
   * The app of the key in the secret now: from the secrets map, else from an open campaign its
   * orgs wait in (rotate-app wrote that campaign's key there).
   */
  configured: string | undefined;
  /** The app each org's refresh token came from, as the status branch last recorded it. */
  tokens: Map<string, string>;
  /** Orgs already waiting to re-authorize with the new app (an earlier run of this rotation). */
  waiting: Set<string>;
}

function orgsPhrase(orgs: readonly { alias: string }[]): string {
  return orgs.map((o) => o.alias).join(', ');
}

/**
 * The apps this group moves away from: its configured app when that is not the new one, else the
 * apps the tokens of its not-yet-campaigned orgs came from (a rerun after the secrets were already
 * written, when the status branch was not).
 */
function oldAppsOf(g: Group, newFingerprint: string): Set<string> {
  if (g.configured && g.configured !== newFingerprint) return new Set([g.configured]);
  const out = new Set<string>();
  for (const [alias, f] of g.tokens) if (f !== newFingerprint && !g.waiting.has(alias)) out.add(f);
  return out;
}

function isKnown(g: Group): boolean {
  return g.configured !== undefined || g.orgs.every((o) => g.tokens.has(o.alias) || g.waiting.has(o.alias));
}

/**
 * Decides, without writing anything, which orgs used the old app and which secrets get the new
 * credentials. Throws RotateAppError when the new key is already in use everywhere, when no org
 * is known to use another app, or when several apps are in use and nothing says which one is
 * being replaced.
 */
export function planRotation(input: RotateAppPlanInput): RotateAppPlan {
  const newFingerprint = appFingerprint(input.newClientId);
  const explicitOld = input.oldClientId?.trim() ? appFingerprint(input.oldClientId) : undefined;
  if (explicitOld === newFingerprint) {
    throw new RotateAppError({
      reason: 'bad_input',
      message: `The old and the new consumer key are the same (app ${newFingerprint}): there is nothing to rotate.`,
      remedy: "Pass the new Connected App's Consumer Key (Setup > App Manager > the app > View > Manage Consumer Details) as the new client id.",
    });
  }
  const open = (input.campaigns ?? []).filter(isOpen);
  const waitingFor = (alias: string): Campaign | undefined => open.find((c) => c.orgs.some((o) => o.alias === alias && o.reauthorizedAt === null));

  const groups = new Map<string, Group>();
  const targetsOf = new Map<string, ReturnType<typeof resolveSecretTargets>>();
  for (const org of input.config.orgs) {
    const targets = resolveSecretTargets(input.config, org, input.repository);
    targetsOf.set(org.alias, targets);
    const key = targetKey(targets.clientId);
    let g = groups.get(key);
    if (!g) {
      const value = lookup(input.secrets, targets.clientId.name);
      g = { key, target: targets.clientId, orgs: [], configured: value ? appFingerprint(value) : undefined, tokens: new Map(), waiting: new Set() };
      groups.set(key, g);
    }
    g.orgs.push(org);
    const published = input.published?.get(org.alias);
    if (published) g.tokens.set(org.alias, published);
    const campaign = waitingFor(org.alias);
    if (campaign?.newFingerprint === newFingerprint) g.waiting.add(org.alias);
  }
  for (const g of groups.values()) {
    if (g.configured) continue;
    const targets = new Set(g.orgs.map((o) => waitingFor(o.alias)?.newFingerprint).filter((f): f is string => Boolean(f)));
    if (targets.size === 1) g.configured = [...targets][0];
  }
  const all = [...groups.values()];
  const defaultName = (input.config.defaults?.['client-id-secret'] ?? DEFAULT_CLIENT_ID_SECRET).toLowerCase();
  const isDefault = (g: Group) => g.target.name.toLowerCase() === defaultName;

  let previousFingerprint = explicitOld;
  if (!previousFingerprint) {
    // The app being replaced is the one in the default client-id secret when any org uses it:
    // orgs with a client-id secret of their own go along only when they hold the same key.
    const defaults = all.filter(isDefault);
    const scope = defaults.length > 0 ? defaults : all;
    const candidates = new Set(scope.flatMap((g) => [...oldAppsOf(g, newFingerprint)]));
    const scopeOrgs = scope.flatMap((g) => g.orgs);
    if (candidates.size === 0) {
      const waiting = scope.flatMap((g) => g.orgs.filter((o) => g.waiting.has(o.alias)));
      const subject =
        defaults.length > 0 && defaults.length < all.length
          ? `The org(s) using the ${defaults[0]?.target.name} secret (${orgsPhrase(scopeOrgs)})`
          : 'Every org';
      if (scope.every(isKnown)) {
        throw new RotateAppError({
          reason: 'bad_input',
          message: `${subject} already ${subject === 'Every org' ? 'uses' : 'use'} the new consumer key (app ${newFingerprint}): there is nothing to rotate.${waiting.length ? ` Still to re-authorize: ${orgsPhrase(waiting)}.` : ''}`,
          remedy:
            "If the secrets were already rotated, each org only needs `sfbackup reauth --org <alias>`; otherwise pass the new Connected App's Consumer Key and Secret (or name the app being replaced with `sfbackup rotate-app --old-client-id`).",
        });
      }
      throw new RotateAppError({
        reason: 'missing_secret',
        message: `Cannot tell which app the org(s) ${orgsPhrase(scope.filter((g) => !isKnown(g)).flatMap((g) => g.orgs))} use now: their client-id secrets are not among the secrets given and the status branch has no record of them.${waiting.length ? ` (${orgsPhrase(waiting)} already wait to re-authorize with app ${newFingerprint}.)` : ''}`,
        remedy:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression the user types
          "In the workflow pass `secrets: ${{ toJSON(secrets) }}` (and name the job's environment for environment secrets); with sfbackup pass the old consumer key with --old-client-id (or SF_CLIENT_ID).",
      });
    }
    if (candidates.size > 1) {
      const apps = [...candidates]
        .map((f) => `app ${f} (${orgsPhrase(scope.filter((g) => oldAppsOf(g, newFingerprint).has(f)).flatMap((g) => g.orgs))})`)
        .join('; ');
      throw new RotateAppError({
        reason: 'bad_input',
        message: `The orgs use several Connected Apps (${apps}) and nothing says which one is being replaced.`,
        remedy: `Keep the consumer key of the app being replaced in the ${DEFAULT_CLIENT_ID_SECRET} secret (or defaults.client-id-secret), or run \`sfbackup rotate-app --old-client-id <its consumer key>\`.`,
      });
    }
    previousFingerprint = [...candidates][0] as string;
  }
  const old = previousFingerprint;

  const orgs: RotateAppOrg[] = [];
  const untouched: UntouchedOrg[] = [];
  const writes: RotateAppPlan['writes'] = [];
  const secretWrites: RotateAppPlan['writes'] = [];
  const seen = new Set<string>();
  for (const g of all) {
    const olds = oldAppsOf(g, newFingerprint);
    // With an explicit old key, the default client-id secret is presumed to hold it when nothing else is known.
    const affected = olds.has(old) || (explicitOld !== undefined && isDefault(g) && !isKnown(g) && olds.size === 0 && g.waiting.size === 0);
    const joining = affected ? g.orgs.filter((o) => g.configured !== newFingerprint || !g.waiting.has(o.alias)) : [];
    for (const org of g.orgs) {
      if (joining.includes(org)) continue;
      const fp = g.configured ?? g.tokens.get(org.alias) ?? null;
      const why = g.waiting.has(org.alias)
        ? `it already waits to re-authorize with the new app ${newFingerprint}`
        : fp === newFingerprint
          ? 'it already uses the new app'
          : fp
            ? `it uses another app (${fp})`
            : `its client-id secret ${g.target.name} is not among the secrets given and the status branch has no record of its app`;
      untouched.push({ alias: org.alias, fingerprint: fp, why });
    }
    if (joining.length === 0) continue;
    if (!seen.has(g.key)) {
      seen.add(g.key);
      writes.push({ target: g.target, holds: 'client-id' });
    }
    for (const org of joining) {
      const t = targetsOf.get(org.alias) as ReturnType<typeof resolveSecretTargets>;
      const k = targetKey(t.clientSecret);
      if (!seen.has(k)) {
        seen.add(k);
        secretWrites.push({ target: t.clientSecret, holds: 'client-secret' });
      }
      const loginUrl = loginUrlForType(org.type);
      orgs.push({
        alias: org.alias,
        type: org.type,
        loginUrl,
        loginHost: loginHostOf(loginUrl),
        refreshTokenSecret: org['refresh-token-secret'],
        clientId: t.clientId,
        clientSecret: t.clientSecret,
        reauthCommand: reauthCommand(org.alias),
      });
    }
  }
  if (orgs.length === 0) {
    throw new RotateAppError({
      reason: 'bad_input',
      message: `No org of the config uses app ${old}: there is nothing to rotate.`,
      remedy: 'Check --old-client-id (or SF_CLIENT_ID) and the org config: rotate-app replaces the credentials of the app the orgs use now.',
    });
  }
  orgs.sort((a, b) => a.alias.localeCompare(b.alias));
  return { previousFingerprint: old, newFingerprint, orgs, untouched, writes: [...writes, ...secretWrites] };
}

export function orgRefOf(org: RotateAppOrg): OrgRef {
  return { alias: org.alias, type: org.type, loginUrl: org.loginUrl, refreshTokenSecret: org.refreshTokenSecret };
}

/** What the status, the summary and the issue say about one org of the campaign. */
export function appChangedOutcome(plan: RotateAppPlan, org: RotateAppOrg, at: Date): AuthOutcome {
  const context = { appFingerprint: plan.newFingerprint, previousAppFingerprint: plan.previousFingerprint };
  return {
    state: 'reauth_required',
    reason: 'app_changed',
    message: `The Connected App credentials were rotated from app ${plan.previousFingerprint} to app ${plan.newFingerprint}; the refresh token of ${org.alias} was issued through the old app and stops working. Re-authorize with \`${org.reauthCommand}\`.`,
    remedy: remedyFor({ state: 'reauth_required', reason: 'app_changed', context }, orgRefOf(org)),
    at: at.toISOString(),
  };
}

export interface RotateAppLog {
  info: (message: string) => void;
  warning: (message: string) => void;
}

export interface RotateAppOptions {
  newClientId: string;
  newClientSecret: string;
  /** Where the secrets go; absent only for a dry run. */
  writer?: SecretWriter;
  dryRun?: boolean;
  /** Publishes the campaign and each org's state to the status branch; absent = not published. */
  status?: { branch: string; remoteUrl?: string; context: StorageContext; redact: boolean };
  /** Opens (or updates) one issue per org of the campaign; absent = no issues. */
  issues?: { octokit: Octokit; repo: RepoRef };
  /** Every secret value of the run: refused in the status data, removed from messages. */
  secretValues: readonly string[];
  runUrl?: string | null;
  now?: () => Date;
  log: RotateAppLog;
}

export interface RotateAppIssue {
  alias: string;
  action: OrgIssueAction | 'failed';
  url?: string;
  error?: string;
}

export interface RotateAppResult {
  plan: RotateAppPlan;
  /** The secrets written, in order (none for a dry run). */
  written: SecretTarget[];
  /** The campaign as published (or as it would be, when the status is not published). */
  campaign: Campaign;
  progress: { done: number; total: number };
  outcomes: Map<string, AuthOutcome>;
  /** The status branch commit; null when not published. */
  status: { branch: string; commit: string } | null;
  /** Why the status was not published, when it failed. */
  statusError: Error | null;
  issues: RotateAppIssue[];
}

const ISSUE_STATE = 'reauth_required/app_changed';

function issueBody(plan: RotateAppPlan, org: RotateAppOrg, outcome: AuthOutcome, runUrl: string | null | undefined): string {
  return [
    `**Org:** ${org.alias} (${org.type}), login host ${org.loginHost}`,
    `**State:** \`reauth_required\` (\`app_changed\`) since ${outcome.at}`,
    `**Campaign:** app ${plan.previousFingerprint} → app ${plan.newFingerprint}, ${plan.orgs.length} org(s) to re-authorize: ${orgsPhrase(plan.orgs)}`,
    '',
    outcome.message,
    '',
    `**To fix:** ${outcome.remedy ?? ''}`,
    '',
    '```sh',
    org.reauthCommand,
    '```',
    '',
    'Backups of this org fail until this is done. This issue closes itself after the next healthy run.',
    ...(runUrl ? ['', `Rotation run: ${runUrl}`] : []),
  ].join('\n');
}

/**
 * Carries the plan out: the secrets first (stopping at the first failure, which names what was
 * already written), then the status branch (campaign and one state per org), then the issues.
 * Status and issue failures are reported in the result, not thrown: the secrets are already new.
 */
export async function rotateApp(plan: RotateAppPlan, opts: RotateAppOptions): Promise<RotateAppResult> {
  const now = opts.now ?? (() => new Date());
  const secrets = [...opts.secretValues, opts.newClientId, opts.newClientSecret].filter((s) => s.length > 0);
  const clean = (text: string) => redact(text, secrets);
  const written: SecretTarget[] = [];
  if (!opts.dryRun) {
    if (!opts.writer) throw new Error('rotateApp: a SecretWriter is required unless dryRun');
    for (const w of plan.writes) {
      try {
        await opts.writer.write(w.target, w.holds === 'client-id' ? opts.newClientId : opts.newClientSecret);
      } catch (err) {
        throw new RotateAppWriteError(w.target, written, err);
      }
      written.push(w.target);
      opts.log.info(
        `Stored the new consumer ${w.holds === 'client-id' ? 'key' : 'secret'} of app ${plan.newFingerprint} in the ${describeSecretTarget(w.target)}.`,
      );
    }
  }

  const at = now();
  const outcomes = new Map<string, AuthOutcome>();
  for (const org of plan.orgs) {
    const o = appChangedOutcome(plan, org, at);
    outcomes.set(org.alias, { ...o, message: clean(o.message), remedy: o.remedy === null ? null : clean(o.remedy) });
  }
  const aliases = plan.orgs.map((o) => o.alias);
  const start = (current: Campaign[]) =>
    startCampaign(current, { previousFingerprint: plan.previousFingerprint, newFingerprint: plan.newFingerprint, aliases, at: at.toISOString() });
  let campaign = start([]).campaign;

  let status: RotateAppResult['status'] = null;
  let statusError: RotateAppResult['statusError'] = null;
  if (opts.status && !opts.dryRun) {
    const runs: OrgRun[] = plan.orgs.map((org) => ({
      // The token in the org's secret is still the old app's: the next backup compares this
      // fingerprint with the configured key's and reports app_changed rather than a plain revocation.
      identity: { alias: org.alias, type: orgTypeOf(org.type), loginHost: org.loginUrl, appFingerprint: plan.previousFingerprint },
      auth: outcomes.get(org.alias) as AuthOutcome,
      runUrl: opts.runUrl ?? null,
      at: at.toISOString(),
    }));
    try {
      const published = await publishStatus(
        { runs, campaigns: (current) => start(current).campaigns },
        {
          branch: opts.status.branch,
          ...(opts.status.remoteUrl ? { remoteUrl: opts.status.remoteUrl } : {}),
          context: opts.status.context,
          redact: opts.status.redact,
          secretValues: secrets,
          message: `rotate-app: app ${plan.previousFingerprint} → ${plan.newFingerprint}, ${aliases.length} org(s) to re-authorize (${aliases.join(', ')})`,
        },
      );
      campaign = published.campaigns.find((c) => c.id === campaign.id) ?? campaign;
      status = { branch: published.branch, commit: published.commit };
    } catch (err) {
      statusError = err instanceof Error ? err : new Error(String(err));
      opts.log.warning(`The campaign was not published to the status branch: ${clean(statusError.message)}`);
    }
  }

  const issues: RotateAppIssue[] = [];
  if (opts.issues && !opts.dryRun) {
    for (const org of plan.orgs) {
      const outcome = outcomes.get(org.alias) as AuthOutcome;
      try {
        const r = await syncOrgIssue(opts.issues.octokit, opts.issues.repo, {
          alias: org.alias,
          needsAttention: true,
          title: `Salesforce org ${org.alias} needs re-authorization`,
          body: clean(issueBody(plan, org, outcome, opts.runUrl)),
          state: ISSUE_STATE,
        });
        issues.push({ alias: org.alias, action: r.action, ...(r.url ? { url: r.url } : {}) });
        if (r.action !== 'unchanged') opts.log.info(`Issue for ${org.alias}: ${r.action}${r.url ? ` (${r.url})` : ''}.`);
      } catch (err) {
        const message = clean(`${err instanceof Error ? err.message : String(err)}${err instanceof ProductError ? ` ${err.remedy}` : ''}`);
        issues.push({ alias: org.alias, action: 'failed', error: message });
        opts.log.warning(`The issue for ${org.alias} was not opened: ${message}`);
      }
    }
  }

  return { plan, written, campaign, progress: campaignProgress(campaign), outcomes, status, statusError, issues };
}

export interface RotationRequest {
  config: BackupConfig;
  /** `owner/name` of the repository whose secrets (or whose organization's) the config names. */
  repository: string;
  newClientId: string;
  newClientSecret: string;
  /** The action's secrets map: each org's current consumer key. A laptop has none. */
  secrets?: SecretsMap;
  /** The old app's consumer key when it is known (the CLI's --old-client-id, SF_CLIENT_ID). */
  oldClientId?: string;
  /** Reads the status branch before planning and publishes the campaign to it; absent = neither. */
  status?: RotateAppOptions['status'];
  dryRun?: boolean;
  runUrl?: string | null;
  /** The run's other secret values (tokens): refused in the status data, removed from messages. */
  secretValues: readonly string[];
}

/** What an entry point plugs in: where lines go, and the clients, created only when they are needed. */
export interface RotationPorts {
  log: RotateAppLog;
  /** Hears each old key the run reads from the secrets map, before anything is logged: mask it. */
  mask?: (value: string) => void;
  /** Sees the plan before anything is written (to show it); throwing stops the rotation there. */
  onPlan?: (plan: RotateAppPlan) => void;
  /** The secret writer; not called for a dry run. */
  writer?: () => Promise<SecretWriter>;
  /** Where the per-org issues go; not called for a dry run; undefined = no issues. */
  issues?: () => Promise<{ octokit: Octokit; repo: RepoRef } | undefined>;
}

/**
 * The rotate-app use case, the same for the action and `sfbackup rotate-app`: what the status branch
 * knows, the plan, the secrets, the campaign on the status branch, the issues.
 */
export async function runRotation(req: RotationRequest, ports: RotationPorts): Promise<RotateAppResult> {
  let published: Map<string, string | null> | undefined;
  let campaigns: Campaign[] | undefined;
  if (req.status) {
    try {
      const read = await readPublishedStatus(
        req.config.orgs.map((o) => o.alias),
        { branch: req.status.branch, ...(req.status.remoteUrl ? { remoteUrl: req.status.remoteUrl } : {}), context: req.status.context },
      );
      published = new Map([...read.orgs].map(([alias, s]) => [alias, s.appFingerprint]));
      campaigns = read.campaigns;
    } catch (err) {
      ports.log.warning(`Could not read the status branch: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const plan = planRotation({
    config: req.config,
    repository: req.repository,
    newClientId: req.newClientId,
    ...(req.secrets ? { secrets: req.secrets } : {}),
    ...(req.oldClientId ? { oldClientId: req.oldClientId } : {}),
    ...(published ? { published } : {}),
    ...(campaigns ? { campaigns } : {}),
  });
  // Only the old keys this run looked at are masked (and kept out of the status data).
  const secrets = req.secrets ?? {};
  const used = [...new Set(plan.orgs.flatMap((o) => [secrets[o.clientId.name], secrets[o.clientSecret.name]]))].filter((v): v is string => Boolean(v));
  for (const v of used) ports.mask?.(v);
  ports.onPlan?.(plan);

  const writer = req.dryRun ? undefined : await ports.writer?.();
  const issues = req.dryRun ? undefined : await ports.issues?.();
  return rotateApp(plan, {
    newClientId: req.newClientId,
    newClientSecret: req.newClientSecret,
    ...(writer ? { writer } : {}),
    ...(req.dryRun ? { dryRun: true } : {}),
    ...(req.status ? { status: req.status } : {}),
    ...(issues ? { issues } : {}),
    secretValues: [...used, ...req.secretValues],
    ...(req.runUrl !== undefined ? { runUrl: req.runUrl } : {}),
    log: ports.log,
  });
}
