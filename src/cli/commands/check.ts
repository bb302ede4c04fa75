// `sfbackup check`: log in to one org and say who and where it is, and how much API it has left.
import { checkOrg } from '../../salesforce/auth/check.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit.ts';
import { LOGIN_FLAGS, loginCredentials, SECRETS_NOTE } from './login-flags.ts';

export const checkCommand = defineCommand({
  name: 'check',
  synopsis: 'check',
  summary: 'Log in to one org with a refresh token; print the org id, instance and API usage.',
  usage: ['sfbackup check [--login-url URL] [--json]   (secrets from SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN)'],
  notes: [SECRETS_NOTE],
  flags: { ...LOGIN_FLAGS, json: { kind: 'boolean', help: 'print the result as JSON on stdout' } },
  async run({ flags, io }) {
    const creds = loginCredentials(flags);
    const result = await checkOrg(creds, io.secret);
    if (flags.json) {
      io.out(JSON.stringify({ authState: 'ok', ...result }));
    } else {
      const u = result.apiUsage;
      io.out(`Logged in to org ${result.orgId} as user ${result.userId}.`);
      io.out(`Instance:     ${result.instanceUrl}`);
      io.out(`API version:  ${result.apiVersion}`);
      io.out(`API requests: ${u.used} of ${u.limit} in the last 24 hours (${u.remaining} left)`);
    }
    if (result.refreshTokenRotated) {
      io.err('Warning: the org rotated the refresh token; the one you passed no longer works. Re-authorize, or turn rotation off for the app.');
    }
    return EXIT.ok;
  },
});
