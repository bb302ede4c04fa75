// The token lifecycle around one org's run in the action: read what the status branch last said
// about the org, log in (waiting out the activation window, storing a rotated refresh token before
// anything else happens), and afterwards report the outcome everywhere a person may look: step
// outputs, the job summary, the status branch, and the org's GitHub issue. Reporting never fails
// the run on its own: a backup that worked stays green if only the status push failed.
import * as core from '@actions/core';
import type { ResolvedOrg } from '../config/index.ts';
import type { SecretTarget, SecretWriter } from '../github/contracts.ts';
import { syncOrgIssue } from '../github/issues.ts';
import { createOctokit } from '../github/octokit.ts';
import { createSecretWriter } from '../github/secrets.ts';
import { ProductError } from '../runtime/errors.ts';
import { jobContext } from '../runtime/job-context.ts';
import { appFingerprint } from '../salesforce/auth/app-fingerprint.ts';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import { type AuthResult, authenticate } from '../salesforce/auth/lifecycle.ts';
import type { AuthOutcome, OrgRef } from '../salesforce/auth/outcome.ts';
import { readPublishedStatus } from '../status/fetch.ts';
import { type LastBackup, type OrgStatus, orgTypeOf } from '../status/index.ts';
import { publishStatus } from '../status/publish.ts';
import type { StorageContext } from '../storage/config.ts';

export interface LifecycleInputs {
  githubToken?: string | undefined;
  secretsToken?: string | undefined;
  statusBranch: string;
  statusRemote?: string | undefined;
  publishStatus: boolean;
  redactStatus: boolean;
  openIssues: boolean;
  /** Minutes. */
  appPendingWindow?: number;
  refreshTokenMaxAgeDays?: number | undefined;
}

/** States someone has to act on: they get an issue. */
const NEEDS_ATTENTION = new Set(['reauth_required', 'rotation_write_failed', 'misconfigured']);

function repository(): string | undefined {
  const r = jobContext().repository;
  return r && /^[^/\s]+\/[^/\s]+$/.test(r) ? r : undefined;
}

function runUrl(): string | null {
  return jobContext().runUrl;
}

function apiUrl(): string {
  return jobContext().apiUrl;
}

export function orgRef(org: ResolvedOrg): OrgRef {
  return {
    alias: org.alias,
    type: org.type,
    loginUrl: org.credentials.loginUrl,
    ...(org.secretTargets ? { refreshTokenSecret: refreshTarget(org)?.name ?? '' } : {}),
  };
}

function refreshTarget(org: ResolvedOrg): SecretTarget | undefined {
  const repo = repository();
  return repo && org.secretTargets ? org.secretTargets(repo).refreshToken : undefined;
}

export class OrgLifecycle {
  readonly org: ResolvedOrg;
  private readonly inputs: LifecycleInputs;
  private readonly context: StorageContext;
  private previous: OrgStatus | undefined;
  private auth: AuthResult | undefined;

  private constructor(org: ResolvedOrg, inputs: LifecycleInputs) {
    this.org = org;
    this.inputs = inputs;
    this.context = {
      ...(inputs.githubToken ? { token: inputs.githubToken } : {}),
      log: { info: core.info, warning: core.warning },
      mask: core.setSecret,
    };
  }

  /** Reads the org's last published status (for app_changed / policy_expired); never fails the run. */
  static async open(org: ResolvedOrg, inputs: LifecycleInputs): Promise<OrgLifecycle> {
    const life = new OrgLifecycle(org, inputs);
    if (inputs.publishStatus) {
      try {
        const published = await readPublishedStatus([org.alias], {
          branch: inputs.statusBranch,
          context: life.context,
          ...(inputs.statusRemote ? { remoteUrl: inputs.statusRemote } : {}),
        });
        life.previous = published.orgs.get(org.alias);
      } catch (err) {
        core.warning(`Could not read the last status of ${org.alias}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return life;
  }

  private async secretWriter(): Promise<SecretWriter | undefined> {
    if (!this.inputs.secretsToken) return undefined;
    return createSecretWriter(await createOctokit(this.inputs.secretsToken, apiUrl()), {
      onRetry: (info) => core.info(`Writing the rotated refresh token: attempt ${info.attempt} failed (${info.status ?? 'network'}); retrying.`),
    });
  }

  /** Logs in. The session is null unless the outcome is ok; then nothing else may run for the org. */
  async authenticate(): Promise<AuthResult> {
    const writer = await this.secretWriter();
    const target = refreshTarget(this.org);
    const previous = this.previous;
    const result = await authenticate(
      { alias: this.org.alias, type: this.org.type, credentials: this.org.credentials },
      {
        ...(writer ? { secretWriter: writer } : {}),
        ...(target ? { refreshTokenTarget: target } : {}),
        onSecret: core.setSecret,
        appPendingWindowMs: (this.inputs.appPendingWindow ?? 10) * 60_000,
        ...(this.inputs.refreshTokenMaxAgeDays ? { refreshTokenMaxAgeDays: this.inputs.refreshTokenMaxAgeDays } : {}),
        ...(previous ? { previous: { appFingerprint: previous.appFingerprint, authorizedAt: previous.authorizedAt, state: previous.auth.state } } : {}),
        onRetry: (info) =>
          core.info(
            `${info.what === 'login' ? 'Login' : 'Secret write'} attempt ${info.attempt} failed (${info.state}): ${info.message}; retrying in ${Math.round(info.delayMs / 1000)} s.`,
          ),
      },
    );
    this.auth = result;
    if (result.rotated) core.info(`Salesforce rotated the refresh token; the new one is stored in ${target?.name ?? 'its secret'}.`);
    return result;
  }

  get session(): OrgSession | null {
    return this.auth?.session ?? null;
  }

  /** Waits for the write-back of a token rotated during the work, and says where auth ended up. */
  async settle(): Promise<AuthOutcome> {
    if (!this.auth) throw new Error('settle() before authenticate()');
    const settled = await this.auth.settle();
    return settled.outcome;
  }

  /** Outputs, summary, status branch and issue for this run's outcome. */
  async report(outcome: AuthOutcome, backup?: LastBackup): Promise<void> {
    core.setOutput('auth-state', outcome.state);
    core.setOutput('auth-reason', outcome.reason ?? '');
    core.setOutput('auth-remedy', outcome.remedy ?? '');
    if (outcome.state === 'ok') {
      const rotated = this.auth?.rotated
        ? `; Salesforce rotated the refresh token and the new one is stored in ${refreshTarget(this.org)?.name ?? 'its secret'}`
        : '';
      core.summary.addRaw(`<p><b>Authorization:</b> <code>ok</code>${escapeHtml(rotated)}</p>`, true);
    } else {
      core.summary
        .addHeading(`Authorization of ${escapeHtml(this.org.alias)}: ${outcome.state}`, 3)
        .addRaw(`<p><b>State:</b> <code>${outcome.state}</code>${outcome.reason ? ` (<code>${outcome.reason}</code>)` : ''}</p>`, true)
        .addRaw(`<p>${escapeHtml(outcome.message)}</p>`, true)
        .addRaw(`<p><b>To fix:</b> ${escapeHtml(outcome.remedy ?? '')}</p>`, true);
    }
    await this.publish(outcome, backup);
    await this.syncIssue(outcome);
  }

  private authorizedAt(outcome: AuthOutcome): string | undefined {
    if (this.auth?.authorizedAt) return this.auth.authorizedAt;
    // A token that works after the org needed re-authorization is a new one: someone ran reauth.
    const before = this.previous?.auth.state;
    if (outcome.state === 'ok' && (before === 'reauth_required' || before === 'rotation_write_failed')) return outcome.at;
    return undefined;
  }

  private async publish(outcome: AuthOutcome, backup?: LastBackup): Promise<void> {
    if (!this.inputs.publishStatus) return;
    const session = this.auth?.session;
    const authorizedAt = this.authorizedAt(outcome);
    // Only a working login proves which app the org's token belongs to; a failing run keeps the
    // recorded one, so a later run still tells app_changed from a plain revoked token.
    const fingerprint =
      outcome.state !== 'ok'
        ? undefined
        : (this.auth?.appFingerprint ?? (this.org.credentials.clientId ? appFingerprint(this.org.credentials.clientId) : undefined));
    try {
      await publishStatus(
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
              runUrl: runUrl(),
            },
          ],
        },
        {
          branch: this.inputs.statusBranch,
          ...(this.inputs.statusRemote ? { remoteUrl: this.inputs.statusRemote } : {}),
          context: this.context,
          redact: this.inputs.redactStatus,
          secretValues: [...this.org.secretValues, ...(this.inputs.secretsToken ? [this.inputs.secretsToken] : [])],
        },
      );
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : '';
      core.warning(`The status of ${this.org.alias} was not published: ${err instanceof Error ? err.message : String(err)}.${remedy}`);
    }
  }

  private async syncIssue(outcome: AuthOutcome): Promise<void> {
    const repo = repository();
    if (!this.inputs.openIssues || !this.inputs.githubToken || !repo) return;
    const [owner, name] = repo.split('/') as [string, string];
    const needsAttention = NEEDS_ATTENTION.has(outcome.state);
    const title =
      outcome.state === 'misconfigured'
        ? `Salesforce backup of ${this.org.alias}: a setting needs fixing`
        : outcome.state === 'rotation_write_failed'
          ? `Salesforce org ${this.org.alias}: the rotated refresh token could not be stored`
          : `Salesforce org ${this.org.alias} needs re-authorization`;
    const url = runUrl();
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
      const octokit = await createOctokit(this.inputs.githubToken, apiUrl());
      const r = await syncOrgIssue(
        octokit,
        { owner, repo: name },
        { alias: this.org.alias, needsAttention, title, body, state: `${outcome.state}/${outcome.reason ?? ''}` },
      );
      if (r.action !== 'none' && r.action !== 'unchanged') core.info(`Issue for ${this.org.alias}: ${r.action}${r.url ? ` (${r.url})` : ''}.`);
    } catch (err) {
      const remedy = err instanceof ProductError ? ` ${err.remedy}` : '';
      core.warning(`The issue for ${this.org.alias} was not updated: ${err instanceof Error ? err.message : String(err)}.${remedy}`);
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
