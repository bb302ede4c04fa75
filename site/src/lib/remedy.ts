// What to do about an org, written for that org: its login host, the exact command, the scopes
// the Connected App needs. The data's own remedy (written by the run that saw the failure) comes
// first; this adds what a person needs around it, so nobody has to look anything up.
import type { OrgStatus } from '../../../src/status/index.ts';
import type { SiteOptions } from './options.ts';
import type { SiteState } from './states.ts';

export interface LoginHost {
  kind: 'production' | 'sandbox' | 'my_domain';
  /** `production (login.salesforce.com)`. */
  label: string;
  /** Where the login page is; null when redaction hides a My Domain. */
  url: string | null;
}

export interface Remedy {
  /** Nothing to do: no section is shown. */
  none: boolean;
  /** One line: what to do. */
  headline: string;
  /** The run's own words (auth.remedy), when it left any. */
  fromRun: string | null;
  /** Ordered steps; code spans are marked with backticks. */
  steps: string[];
  /** Shown for states fixed by a login. */
  reauth: { command: string; afterwards: string } | null;
  loginHost: LoginHost;
}

export function loginHostOf(status: OrgStatus): LoginHost {
  switch (status.type) {
    case 'production':
      return { kind: 'production', label: 'production (login.salesforce.com)', url: 'https://login.salesforce.com' };
    case 'sandbox':
      return { kind: 'sandbox', label: 'sandbox (test.salesforce.com)', url: 'https://test.salesforce.com' };
    default:
      return status.loginHost === 'my-domain' || status.redacted
        ? { kind: 'my_domain', label: "My Domain (the org's own login page, hidden on this public page)", url: null }
        : { kind: 'my_domain', label: `My Domain (${status.loginHost})`, url: `https://${status.loginHost}` };
  }
}

export function reauthCommand(alias: string, opts: Pick<SiteOptions, 'repo'>): string {
  return `npx sfbackup reauth --org ${alias}${opts.repo ? ` --repo ${opts.repo}` : ''}`;
}

export function runWorkflowCommand(alias: string, opts: Pick<SiteOptions, 'repo' | 'workflow'>): string {
  return `gh workflow run ${opts.workflow} -f org=${alias}${opts.repo ? ` --repo ${opts.repo}` : ''}`;
}

const SCOPES_STEP =
  'The Connected App must offer the scopes `full` (or at least `api`), `refresh_token, offline_access`, and `openid` where Salesforce is the identity provider (single sign-on through My Domain).';
const ACTIVATION_STEP = 'New or changed Connected App credentials take up to 10 minutes to become active; `reauth` waits through that window on its own.';

export function remedyFor(state: SiteState, reason: string | null, status: OrgStatus, opts: SiteOptions): Remedy {
  const alias = status.alias;
  const loginHost = loginHostOf(status);
  const command = reauthCommand(alias, opts);
  const afterwards = runWorkflowCommand(alias, opts);
  const fromRun = status.auth.remedy;
  const loginStep = `Log in at the ${loginHost.label} login page as the integration user${loginHost.url ? ` (${loginHost.url})` : ''} and choose Allow.`;
  const reauthSteps = (first: string[]): string[] => [
    ...first,
    `In a clone of the backup repository, with the Connected App's key and secret in \`SF_CLIENT_ID\` and \`SF_CLIENT_SECRET\` and a token that may write secrets in \`GH_TOKEN\`, run \`${command}\`.`,
    loginStep,
    SCOPES_STEP,
    ACTIVATION_STEP,
    `Then run the backup (\`${afterwards}\`, or wait for its schedule): this page shows the org as healthy after that run.`,
  ];
  const reauth = { command, afterwards };
  switch (state) {
    case 'reauth': {
      const first: string[] = [];
      if (reason === 'user_inactive')
        first.push(
          'Reactivate or unfreeze the integration user in Setup > Users of the org: the same token then works again. Only if another user should own the connection, re-authorize:',
        );
      if (reason === 'policy_expired')
        first.push('Set the Connected App\'s Refresh Token Policy to "valid until revoked" (or a longer period) so this does not recur, then re-authorize:');
      if (reason === 'rotation_write_failed' || status.auth.state === 'rotation_write_failed')
        first.push(
          "First give the workflow a `secrets-token` that may write this org's secret (docs/github-token.md): the rotated token was lost, so then re-authorize:",
        );
      return { none: false, headline: `Re-authorize ${alias}: ${command}`, fromRun, steps: reauthSteps(first), reauth, loginHost };
    }
    case 'app_change':
      return {
        none: false,
        headline: `Re-authorize ${alias} through the new Connected App: ${command}`,
        fromRun,
        steps: reauthSteps([
          'The Connected App was rotated: tokens issued under the old consumer key are dead, and this org has not logged in through the new one yet.',
        ]),
        reauth,
        loginHost,
      };
    case 'app_pending':
      return {
        none: false,
        headline: 'Wait up to 10 minutes: the next run retries on its own.',
        fromRun,
        steps: [
          ACTIVATION_STEP,
          `To try sooner, run the backup again: \`${afterwards}\`.`,
          "If it lasts longer than an hour, the client-id secret probably does not hold the Connected App's Consumer Key: check it (Setup > App Manager > the app > View > Manage Consumer Details).",
        ],
        reauth: null,
        loginHost,
      };
    case 'failing':
      return {
        none: false,
        headline: fromRun ?? 'Open the last run to see what failed; the next run retries.',
        fromRun,
        steps: [
          status.runUrl
            ? 'Open the last run (linked above) and read its summary: it names what failed and why.'
            : 'Read the summary of the last backup run: it names what failed and why.',
          `Fix what it names, then run the backup again: \`${afterwards}\`.`,
        ],
        reauth: null,
        loginHost,
      };
    case 'late':
    case 'not_running':
      return {
        none: false,
        headline:
          state === 'not_running'
            ? 'Check that the backup workflow is enabled, and run it.'
            : 'Check that the backup workflow runs; a run or two may have been delayed or dropped.',
        fromRun: null,
        steps: [
          `See whether GitHub disabled the workflow: \`gh workflow list --all${opts.repo ? ` --repo ${opts.repo}` : ''}\` shows it as disabled_inactivity after 60 days without activity in the repository. Enable it with \`gh workflow enable ${opts.workflow}${opts.repo ? ` --repo ${opts.repo}` : ''}\` (or the Actions tab > the workflow > Enable workflow).`,
          `Run it now: \`${afterwards}\`.`,
          'Scheduled runs are delayed or dropped when GitHub is under load, most at the top of the hour: schedule at an odd minute (the example uses `17 3 * * *`).',
          'The watchdog in the example status-site workflow re-enables a workflow disabled for inactivity.',
        ],
        reauth: null,
        loginHost,
      };
    case 'first_backup':
      return {
        none: false,
        headline: `Run the first backup: ${afterwards}`,
        fromRun: null,
        steps: [`Run the backup workflow now (\`${afterwards}\`) or wait for its schedule.`],
        reauth: null,
        loginHost,
      };
    case 'healthy':
      return { none: true, headline: 'Nothing to do.', fromRun: null, steps: [], reauth: null, loginHost };
  }
}
