// The `check` command in the action: outputs and a job summary for one org's login.
import * as core from '@actions/core';
import { SalesforceError } from '../runtime/auth-errors.ts';
import { checkOrg } from '../salesforce/auth/check.ts';
import type { CheckInputs } from './inputs.ts';

export async function runCheck(inputs: CheckInputs): Promise<void> {
  core.info(`Logging in to ${inputs.loginUrl} with the refresh token (API ${inputs.apiVersion}).`);
  try {
    const result = await checkOrg(inputs, (value) => core.setSecret(value));
    const usage = result.apiUsage;
    core.setOutput('auth-state', 'ok');
    core.setOutput('auth-reason', '');
    core.setOutput('auth-remedy', '');
    core.setOutput('org-id', result.orgId);
    core.setOutput('instance-url', result.instanceUrl);
    core.setOutput('api-requests-used', usage.used);
    core.setOutput('api-requests-limit', usage.limit);
    core.info(`Logged in to org ${result.orgId} at ${result.instanceUrl}.`);
    core.info(`API requests in the last 24 hours: ${usage.used} of ${usage.limit} (${usage.remaining} left).`);
    if (result.refreshTokenRotated) {
      core.warning(
        'The org rotated the refresh token (Refresh Token Rotation is on): the token this check was given is now dead. `command: check` takes one token by inputs and has nowhere to store the new one; run `command: backup` with the org config and `secrets-token` (it writes rotated tokens back before anything else), and re-authorize this org with `sfbackup reauth`.',
      );
    }
    await core.summary
      .addHeading('Salesforce org check: ok', 2)
      .addTable([
        [
          { data: 'Org ID', header: true },
          { data: 'Instance', header: true },
          { data: 'API version', header: true },
          { data: 'API requests (24 h)', header: true },
        ],
        [result.orgId, result.instanceUrl, result.apiVersion, `${usage.used} of ${usage.limit} (${usage.remaining} left)`],
      ])
      .write();
  } catch (err) {
    if (err instanceof SalesforceError) {
      core.setOutput('auth-state', err.state);
      core.setOutput('auth-reason', err.reason);
      core.setOutput('auth-remedy', err.remedy);
      await core.summary
        .addHeading('Salesforce org check failed', 2)
        .addRaw(`<p><b>State:</b> <code>${err.state}</code> (<code>${err.reason}</code>)</p>`, true)
        .addRaw(`<p>${escapeHtml(err.message)}</p>`, true)
        .addRaw(`<p><b>To fix:</b> ${escapeHtml(err.remedy)}</p>`, true)
        .write();
    }
    throw err;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
