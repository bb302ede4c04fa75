// The token lifecycle around one org's run: read what the status branch last said about the org,
// log in (waiting out the activation window, storing a rotated refresh token before anything else
// happens), and afterwards report the outcome where the team looks: the status branch and the
// org's GitHub issue. Reporting never fails the run on its own: a backup that worked stays green
// if only the status push failed. Outputs and summaries are the entry points' (src/action, src/cli).
import type { ResolvedOrg } from '../config/index.ts';
import type { SecretTarget, SecretWriter } from '../github/contracts.ts';
import { type OrgIssueAction, syncOrgIssue } from '../github/issues.ts';
import { createOctokit } from '../github/octokit.ts';
import { createSecretWriter } from '../github/secrets.ts';
import { ProductError } from '../runtime/errors.ts';
import { appFingerprint } from '../salesforce/auth/app-fingerprint.ts';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import { type AuthResult, authenticate } from '../salesforce/auth/lifecycle.ts';
import type { AuthOutcome, OrgRef } from '../salesforce/auth/outcome.ts';
import { readPublishedStatus } from '../status/fetch.ts';
import { type LastBackup, type OrgStatus, orgTypeOf } from '../status/index.ts';
import { publishStatus } from '../status/publish.ts';
import type { StorageContext } from '../storage/config.ts';
import type { Reporter } from './reporter.ts';

export interface LifecycleSettings {
  /** Pushes the status branch and opens issues (the workflow token, GH_TOKEN on a laptop). */
  githubToken?: string | undefined;
  /** Writes rotated refresh tokens; without it a rotation ends the run in rotation_write_failed. */
  secretsToken?: string | undefined;
  /** `owner/name` whose secrets and issues belong to the org; undefined when unknown. */
  repository?: string | undefined;
  apiUrl: string;
  /** The workflow run's page, for the status and the issue; null on a laptop. */
  runUrl: string | null;
  tempDir?: string | undefined;
  statusBranch: string;
  statusRemote?: string | undefined;
  publishStatus: boolean;
  redactStatus: boolean;
  openIssues: boolean;
  /** Minutes to wait for a Connected App Salesforce does not know yet. */
  appPendingWindow: number;
  refreshTokenMaxAgeDays?: number | undefined;
  /** How this entry point writes a rotated token, for remedies (`the secrets-token input`). */
  secretWriteSetting?: string | undefined;
  /** The re-authorization command for this org when it is not `sfbackup reauth --org ALIAS`. */
  reauthCommand?: string | undefined;
  /** How often this org's backups are expected (the org config, else the workflow's cron), for the status. */
  schedule?: { intervalS: number; graceS: number | null } | undefined;
  /** Where this entry point sets the login host of an org given without a config (`--login-url (or SF_LOGIN_URL)`). */
  loginSetting?: string | undefined;
}

/** What reporting did, for the entry point to show. */
export interface LifecycleReport {
  /** The commit of the status branch, or why it was not published (undefined: not asked to). */
  status?: { published: true; location: string } | { published: false; why: string };
  issue?: { action: OrgIssueAction; url?: string | undefined } | { action: 'failed'; why: string };
}

/** States someone has to act on: they get an issue. */
const NEEDS_ATTENTION = new Set(['reauth_required', 'rotation_write_failed', 'misconfigured']);

function validRepository(r: string | undefined): string | undefined {
  return r && /^[^/\s]+\/[^/\s]+$/.test(r) ? r : undefined;
}

export class OrgLifecycle {
  readonly org: ResolvedOrg;
  private readonly settings: LifecycleSettings;
  private readonly reporter: Reporter;
  private readonly context: StorageContext;
  private previous: OrgStatus | undefined;
  private auth: AuthResult | undefined;

  private constructor(org: ResolvedOrg, settings: LifecycleSettings, reporter: Reporter) {
    this.org = org;
    this.settings = settings;
    this.reporter = reporter;
    this.context = {
      ...(settings.githubToken ? { token: settings.githubToken } : {}),
      ...(settings.repository ? { repository: settings.repository } : {}),
      ...(settings.tempDir ? { tempDir: settings.tempDir } : {}),
      apiUrl: settings.apiUrl,
      log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
      mask: (s) => reporter.mask(s),
    };
  }

  /** Reads the org's last published status (for app_changed / policy_expired); never fails the run. */
  static async open(org: ResolvedOrg, settings: LifecycleSettings, reporter: Reporter): Promise<OrgLifecycle> {
    const life = new OrgLifecycle(org, settings, reporter);
    if (settings.publishStatus) {
      try {
        const published = await readPublishedStatus([org.alias], {
          branch: settings.statusBranch,
          context: life.context,
          ...(settings.statusRemote ? { remoteUrl: settings.statusRemote } : {}),
        });
        life.previous = published.orgs.get(org.alias);
      } catch (err) {
        reporter.warning(`Could not read the last status of ${org.alias}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return life;
  }

  private repository(): string | undefined {
    return validRepository(this.settings.repository);
  }

  refreshTarget(): SecretTarget | undefined {
    const repo = this.repository();
    return repo && this.org.secretTargets ? this.org.secretTargets(repo).refreshToken : undefined;
  }

  /** What a remedy needs to know about this org. */
  ref(): OrgRef {
    const target = this.org.secretTargets ? this.refreshTarget() : undefined;
    return {
      alias: this.org.alias,
      type: this.org.type,
      loginUrl: this.org.credentials.loginUrl,
      ...(this.org.secretTargets ? { refreshTokenSecret: target?.name ?? '' } : {}),
      ...(this.settings.reauthCommand ? { reauthCommand: this.settings.reauthCommand } : {}),
      ...(this.settings.secretWriteSetting ? { secretWriteSetting: this.settings.secretWriteSetting } : {}),
      // Only an org given without a config has its login host in a setting rather than its `type:`.
      ...(this.settings.loginSetting && !this.org.secretsScope ? { loginSetting: this.settings.loginSetting } : {}),
    };
  }

  private async secretWriter(): Promise<SecretWriter | undefined> {
    if (!this.settings.secretsToken) return undefined;
    return createSecretWriter(await createOctokit(this.settings.secretsToken, this.settings.apiUrl), {
      onRetry: (info) => this.reporter.info(`Writing the rotated refresh token: attempt ${info.attempt} failed (${info.status ?? 'network'}); retrying.`),
    });
  }

  /** Logs in. The session is null unless the outcome is ok; then nothing else may run for the org. */
  async authenticate(): Promise<AuthResult> {
    const writer = await this.secretWriter();
    const target = this.refreshTarget();
    const previous = this.previous;
    const ref = this.ref();
    const result = await authenticate(
      { alias: this.org.alias, type: this.org.type, credentials: this.org.credentials },
      {
        ...(writer ? { secretWriter: writer } : {}),
        ...(target ? { refreshTokenTarget: target } : {}),
        ...(ref.reauthCommand || ref.secretWriteSetting
          ? {
              remedyRef: {
                ...(ref.reauthCommand ? { reauthCommand: ref.reauthCommand } : {}),
                ...(ref.secretWriteSetting ? { secretWriteSetting: ref.secretWriteSetting } : {}),
              },
            }
          : {}),
        onSecret: (s) => this.reporter.mask(s),
        appPendingWindowMs: this.settings.appPendingWindow * 60_000,
        ...(this.settings.refreshTokenMaxAgeDays ? { refreshTokenMaxAgeDays: this.settings.refreshTokenMaxAgeDays } : {}),
        ...(previous ? { previous: { appFingerprint: previous.appFingerprint, authorizedAt: previous.authorizedAt, state: previous.auth.state } } : {}),
        onRetry: (info) =>
          this.reporter.info(
            `${info.what === 'login' ? 'Login' : 'Secret write'} attempt ${info.attempt} failed (${info.state}): ${info.message}; retrying in ${Math.round(info.delayMs / 1000)} s.`,
          ),
      },
    );
    this.auth = result;
    if (result.rotated) this.reporter.info(`Salesforce rotated the refresh token; the new one is stored in ${target?.name ?? 'its secret'}.`);
    return result;
  }

  get session(): OrgSession | null {
    return this.auth?.session ?? null;
  }

  /** A new refresh token was issued and stored during this run. */
  get rotated(): boolean {
    return this.auth?.rotated ?? false;
  }

  /** Waits for the write-back of a token rotated during the work, and says where auth ended up. */
  async settle(): Promise<AuthOutcome> {
    if (!this.auth) throw new Error('settle() before authenticate()');
    const settled = await this.auth.settle();
    return settled.outcome;
  }

  /** The status branch and the org's issue, for this run's outcome. */
  async report(outcome: AuthOutcome, backup?: LastBackup): Promise<LifecycleReport> {
    const status = await this.publish(outcome, backup);
    const issue = await this.syncIssue(outcome);
    return { ...(status ? { status } : {}), ...(issue ? { issue } : {}) };
  }

  /** The org config's schedule wins over the entry point's default. */
  private schedule(): { intervalS: number; graceS: number | null } | undefined {
    const own = this.org.schedule;
    return own ? { intervalS: own.every, graceS: own.grace ?? null } : this.settings.schedule;
  }

  private authorizedAt(outcome: AuthOutcome): string | undefined {
    if (this.auth?.authorizedAt) return this.auth.authorizedAt;
    // A token that works after the org needed re-authorization is a new one: someone ran reauth.
    const before = this.previous?.auth.state;
    if (outcome.state === 'ok' && (before === 'reauth_required' || before === 'rotation_write_failed')) return outcome.at;
    return undefined;
  }

  private async publish(outcome: AuthOutcome, backup?: LastBackup): Promise<LifecycleReport['status']> {
    if (!this.settings.publishStatus) return undefined;
    const session = this.auth?.session;
    const authorizedAt = this.authorizedAt(outcome);
    // Only a working login proves which app the org's token belongs to; a failing run keeps the
    // recorded one, so a later run still tells app_changed from a plain revoked token.
    const fingerprint =
      outcome.state !== 'ok'
        ? undefined
        : (this.auth?.appFingerprint ?? (this.org.credentials.clientId ? appFingerprint(this.org.credentials.clientId) : undefined));
    try {
      const published = await publishStatus(
        {
          runs: [
            {
              identity: {
                alias: this.org.alias,
                type: orgTypeOf(this.org.type),
                loginHost: this.org.credentials.loginUrl,
                ...(session ? { orgId: session.orgId, userId: session.userId, instanceUrl: session.instanceUrl } : {}),
                ...(fingerprint ? { appFingerprint: fingerprint } : {}),
                ...(authorizedAt ? { authorizedAt } : {}),
              },
              auth: outcome,
              ...(backup ? { backup } : {}),
              runUrl: this.settings.runUrl,
              ...(this.schedule() ? { schedule: this.schedule() } : {}),
            },
          ],
        },
        {
          branch: this.settings.statusBranch,
          ...(this.settings.statusRemote ? { remoteUrl: this.settings.statusRemote } : {}),
          context: this.context,
          redact: this.settings.redactStatus,
          secretValues: [...this.org.secretValues, ...(this.settings.secretsToken ? [this.settings.secretsToken] : [])],
        },
      );
      return { published: true, location: `branch ${this.settings.statusBranch}@${published.commit}` };
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : '';
      const why = `${err instanceof Error ? err.message : String(err)}.${remedy}`;
      this.reporter.warning(`The status of ${this.org.alias} was not published: ${why}`);
      return { published: false, why };
    }
  }

  private async syncIssue(outcome: AuthOutcome): Promise<LifecycleReport['issue']> {
    const repo = this.repository();
    if (!this.settings.openIssues || !this.settings.githubToken || !repo) return undefined;
    const [owner, name] = repo.split('/') as [string, string];
    const needsAttention = NEEDS_ATTENTION.has(outcome.state);
    const title =
      outcome.state === 'misconfigured'
        ? `Salesforce backup of ${this.org.alias}: a setting needs fixing`
        : outcome.state === 'rotation_write_failed'
          ? `Salesforce org ${this.org.alias}: the rotated refresh token could not be stored`
          : `Salesforce org ${this.org.alias} needs re-authorization`;
    const url = this.settings.runUrl;
    const body = [
      `**Org:** ${this.org.alias} (${this.org.type})`,
      `**State:** \`${outcome.state}\`${outcome.reason ? ` (\`${outcome.reason}\`)` : ''} since ${outcome.at}`,
      '',
      outcome.message,
      '',
      `**To fix:** ${outcome.remedy ?? ''}`,
      '',
      'Backups of this org fail until this is fixed. This issue closes itself after the next healthy run.',
      ...(url ? ['', `Last run: ${url}`] : []),
    ].join('\n');
    try {
      const octokit = await createOctokit(this.settings.githubToken, this.settings.apiUrl);
      const r = await syncOrgIssue(
        octokit,
        { owner, repo: name },
        { alias: this.org.alias, needsAttention, title, body, state: `${outcome.state}/${outcome.reason ?? ''}` },
      );
      if (r.action !== 'none' && r.action !== 'unchanged') this.reporter.info(`Issue for ${this.org.alias}: ${r.action}${r.url ? ` (${r.url})` : ''}.`);
      return { action: r.action, url: r.url };
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : '';
      const why = `${err instanceof Error ? err.message : String(err)}.${remedy}`;
      this.reporter.warning(`The issue for ${this.org.alias} was not updated: ${why}`);
      return { action: 'failed', why };
    }
  }
}
