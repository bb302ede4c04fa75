// The one state each org shows, most urgent first. The auth states of the data say whether a run
// could log in; the site adds what only a clock can tell (late, not running) and what the last
// backup said (failing, first backup pending), so a team reads one word per org.

export const SITE_STATES = ['reauth', 'app_change', 'not_running', 'failing', 'late', 'app_pending', 'first_backup', 'healthy'] as const;
export type SiteState = (typeof SITE_STATES)[number];

export interface StateInfo {
  label: string;
  /** One sentence for the overview's legend and the badge's title. */
  summary: string;
  /** shields.io colour name. */
  badgeColor: string;
  /** Whether a person has to do something (as opposed to wait). */
  actionNeeded: boolean;
}

export const STATE_INFO: Record<SiteState, StateInfo> = {
  reauth: {
    label: 'Needs re-authorization',
    summary: 'Backups stopped: someone has to log in to the org again.',
    badgeColor: 'red',
    actionNeeded: true,
  },
  app_change: {
    label: 'App change in progress',
    summary: 'The Connected App changed: this org has to log in again through the new app.',
    badgeColor: 'orange',
    actionNeeded: true,
  },
  not_running: {
    label: 'Backups not running',
    summary: 'No backup ran for more than twice the expected interval: the workflow is probably disabled.',
    badgeColor: 'red',
    actionNeeded: true,
  },
  failing: { label: 'Failing', summary: 'Runs happen but do not produce a backup.', badgeColor: 'red', actionNeeded: true },
  late: { label: 'Backups late', summary: 'The last backup is older than the expected interval and its grace.', badgeColor: 'yellow', actionNeeded: false },
  app_pending: {
    label: 'Credentials not active yet',
    summary: 'New Connected App credentials take up to 10 minutes to become active; the next run retries.',
    badgeColor: 'blue',
    actionNeeded: false,
  },
  first_backup: { label: 'First backup pending', summary: 'Set up, waiting for its first backup.', badgeColor: 'lightgrey', actionNeeded: false },
  healthy: { label: 'Healthy', summary: 'Logged in and backed up on time.', badgeColor: 'brightgreen', actionNeeded: false },
};

export function urgencyOf(state: SiteState): number {
  return SITE_STATES.indexOf(state);
}

/** What the data's reasons mean, in words; an unknown reason is shown as it is. */
const REASONS: Record<string, string> = {
  token_expired_or_revoked: 'the refresh token expired or was revoked',
  user_inactive: 'the integration user is deactivated or frozen',
  app_changed: "the Connected App's consumer key changed",
  policy_expired: "the Connected App's refresh-token policy expired the token",
  rotation_write_failed: 'a rotated refresh token could not be saved (the stored one is dead)',
  secret_write_failed: 'a rotated refresh token could not be written to its secret',
  no_secret_writer: 'the token rotated but no token that may write secrets was given',
  client_unknown: 'Salesforce does not know the consumer key yet',
  missing_secret: 'a secret the config names is missing',
  wrong_org_type: 'the org type in the config does not match the org',
  malformed_token: 'the stored refresh token is malformed',
  malformed_url: 'the login URL is malformed',
  org_inactive: 'the org is inactive or locked',
  client_secret_invalid: 'the consumer secret is wrong',
  ip_restricted: "the org's IP restrictions refuse the runner",
  api_disabled: 'the user may not use the API',
  login_failed: 'the login failed',
  bad_input: 'a setting is wrong',
  network: 'the network failed',
  server_error: 'Salesforce answered with a server error',
  rate_limited: 'an API limit was reached',
  unexpected_response: 'the login host did not answer like Salesforce',
  backup_failed: 'the last backup failed',
  held: 'the last backup was held: it would have shrunk the only copy',
};

export function describeReason(reason: string | null): string | null {
  if (reason === null) return null;
  return REASONS[reason] ?? reason.replace(/_/g, ' ');
}
