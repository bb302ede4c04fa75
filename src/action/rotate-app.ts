// `command: rotate-app` in the action (run from a workflow_dispatch workflow): stores the new
// Connected App consumer key and secret in the secrets the org config names and starts the
// re-authorization campaign for the orgs of the old app: status branch, one issue per org, job
// summary and outputs. The key and secret are masked before anything else; only the app's
// fingerprint is ever shown.
import path from 'node:path';
import * as core from '@actions/core';
import { CampaignNotPublishedError, RotateAppError, type RotateAppResult, runRotation } from '../app/rotate-app.ts';
import { loadConfig, parseSecretsMap } from '../config/index.ts';
import { createOctokit } from '../github/octokit.ts';
import { createSecretWriter } from '../github/secrets.ts';
import { describeFailure, ProductError } from '../runtime/errors.ts';
import { jobContext } from '../runtime/job-context.ts';
import { redact } from '../salesforce/auth/outcome.ts';
import type { StorageContext } from '../storage/config.ts';
import type { RotateAppInputs } from './inputs.ts';

/** Masks a secret, line by line too: the runner matches masks per line. */
function mask(value: string): void {
  if (!value) return;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) core.setSecret(line);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function runRotateApp(inputs: RotateAppInputs): Promise<RotateAppResult> {
  mask(inputs.newClientId);
  mask(inputs.newClientSecret);
  try {
    return await rotate(inputs);
  } catch (err) {
    // Messages and remedies name secrets and fingerprints, never values; redact anyway as a backstop.
    const clean = (t: string) => redact(t, [inputs.newClientId, inputs.newClientSecret, inputs.secretsToken ?? '', inputs.githubToken ?? '']);
    await core.summary
      .addHeading('Connected App rotation failed', 2)
      .addRaw(`<p>${escapeHtml(clean(describeFailure(err))).replace(/\n/g, '<br>')}</p>`, true)
      .write();
    throw err;
  }
}

async function rotate(inputs: RotateAppInputs): Promise<RotateAppResult> {
  const secrets = parseSecretsMap(inputs.secrets);
  const job = jobContext();
  const repository = job.repository ?? '';
  const workspace = job.workspace ?? process.cwd();
  const config = loadConfig(path.resolve(workspace, inputs.configFile), inputs.configFile);

  const context: StorageContext = {
    ...(inputs.githubToken ? { token: inputs.githubToken } : {}),
    log: { info: core.info, warning: core.warning },
    mask: core.setSecret,
  };
  const [owner, repo] = repository.split('/') as [string, string];
  const result = await runRotation(
    {
      config,
      repository,
      newClientId: inputs.newClientId,
      newClientSecret: inputs.newClientSecret,
      secrets,
      ...(inputs.publishStatus ? { status: { branch: inputs.statusBranch, context, redact: inputs.redactStatus } } : {}),
      runUrl: job.runUrl,
      secretValues: [...(inputs.secretsToken ? [inputs.secretsToken] : []), ...(inputs.githubToken ? [inputs.githubToken] : [])],
    },
    {
      log: { info: core.info, warning: core.warning },
      mask,
      onPlan: (plan) => {
        if (!inputs.secretsToken) {
          throw new RotateAppError({
            reason: 'missing_secret',
            message: `rotate-app needs the secrets-token input to store the new consumer key and secret (app ${plan.newFingerprint}); nothing was written.`,
            remedy:
              'Pass `secrets-token:` a GitHub App installation token with `secrets: write` (actions/create-github-app-token) or a fine-grained token with "Secrets: Read and write" on this repository; the workflow GITHUB_TOKEN cannot write secrets. docs/github-token.md shows both, least privilege first.',
          });
        }
        core.info(
          `Rotating the Connected App: app ${plan.previousFingerprint} → app ${plan.newFingerprint}. Orgs to re-authorize afterwards: ${plan.orgs.map((o) => o.alias).join(', ')}.`,
        );
        for (const u of plan.untouched) core.info(`Org ${u.alias} is left as it is: ${u.why}.`);
      },
      writer: async () =>
        createSecretWriter(await createOctokit(inputs.secretsToken ?? '', job.apiUrl), {
          onRetry: (info) => core.info(`Writing the ${info.target.name} secret: attempt ${info.attempt} failed (${info.status ?? 'network'}); retrying.`),
        }),
      issues: async () =>
        inputs.openIssues && inputs.githubToken ? { octokit: await createOctokit(inputs.githubToken, job.apiUrl), repo: { owner, repo } } : undefined,
    },
  );
  const { plan } = result;

  core.setOutput('campaign-id', result.campaign.id);
  core.setOutput('campaign-orgs', plan.orgs.map((o) => o.alias).join(','));
  core.setOutput('app-fingerprint', plan.newFingerprint);
  core.setOutput('previous-app-fingerprint', plan.previousFingerprint);
  await writeSummary(result);
  if (result.statusError) {
    const remedy = result.statusError instanceof ProductError ? `${result.statusError.remedy} ` : '';
    throw new CampaignNotPublishedError(
      `The new credentials are stored, but the re-authorization campaign could not be published to the status branch ${inputs.statusBranch}: ${result.statusError.message}`,
      `${remedy}Then publish the campaign from a computer with \`sfbackup rotate-app --old-client-id <the old consumer key>\` and the same new key and secret (writing them again is harmless), or simply run \`sfbackup reauth --org <alias>\` for ${result.plan.orgs.map((o) => o.alias).join(', ')}.`,
    );
  }
  return result;
}

async function writeSummary(r: RotateAppResult): Promise<void> {
  const { plan, progress } = r;
  const issueOf = new Map(r.issues.map((i) => [i.alias, i]));
  const rows = plan.orgs.map((o) => {
    const issue = issueOf.get(o.alias);
    return [
      escapeHtml(o.alias),
      escapeHtml(o.loginHost),
      `<code>${escapeHtml(o.reauthCommand)}</code>`,
      issue?.url ? `<a href="${escapeHtml(issue.url)}">${issue.action}</a>` : (issue?.action ?? '—'),
    ];
  });
  const s = core.summary
    .addHeading(`Connected App rotated: app ${plan.previousFingerprint} → app ${plan.newFingerprint}`, 2)
    .addRaw(
      `<p><b>Re-authorization campaign</b> <code>${r.campaign.id}</code>: ${progress.done} of ${progress.total} orgs re-authorized. New or changed credentials take up to 10 minutes to become active; then run the command for each org below.</p>`,
      true,
    )
    .addTable([
      [
        { data: 'Org', header: true },
        { data: 'Login host', header: true },
        { data: 'Re-authorize with', header: true },
        { data: 'Issue', header: true },
      ],
      ...rows,
    ])
    .addRaw(`<p><b>Secrets written:</b> ${r.written.map((t) => `<code>${escapeHtml(t.name)}</code>`).join(', ') || 'none'}</p>`, true);
  if (plan.untouched.length) {
    s.addRaw(`<p><b>Left as they are:</b> ${plan.untouched.map((u) => `${escapeHtml(u.alias)} (${escapeHtml(u.why)})`).join('; ')}</p>`, true);
  }
  if (r.status) s.addRaw(`<p>Status branch <code>${escapeHtml(r.status.branch)}</code> at <code>${r.status.commit.slice(0, 12)}</code>.</p>`, true);
  await s.write();
}
