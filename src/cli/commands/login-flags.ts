// The flags that say how to log in to one org without a config file (check, and backup's
// config-less form), each also read from its environment variable.
import { orgCredentialsSchema } from '../../config/credentials.ts';
import { type Flags, type FlagValues, validateFlags } from '../command.ts';

export const LOGIN_FLAGS = {
  'login-url': {
    kind: 'string',
    value: 'URL',
    env: 'SF_LOGIN_URL',
    help: "https://login.salesforce.com (default), https://test.salesforce.com\nfor sandboxes, or the org's My Domain URL",
  },
  'client-id': { kind: 'string', value: 'KEY', env: 'SF_CLIENT_ID', help: 'Consumer Key of the Connected App', secret: true },
  'client-secret': { kind: 'string', value: 'SECRET', env: 'SF_CLIENT_SECRET', help: 'Consumer Secret of the Connected App', secret: true },
  'refresh-token': { kind: 'string', value: 'TOKEN', env: 'SF_REFRESH_TOKEN', help: "the org's refresh token", secret: true },
  'api-version': { kind: 'string', value: 'V', env: 'SF_API_VERSION', help: 'Salesforce API version (default 62.0)' },
} as const satisfies Flags;

export const LOGIN_KEYS = {
  loginUrl: 'login-url',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  refreshToken: 'refresh-token',
  apiVersion: 'api-version',
} as const;

export const SECRETS_NOTE = 'Prefer the environment variables for secrets: command lines are visible to other processes.';

/** The login settings from the flags, validated like the action's inputs. */
export function loginCredentials(flags: FlagValues<typeof LOGIN_FLAGS>) {
  return validateFlags(orgCredentialsSchema, LOGIN_FLAGS, flags, LOGIN_KEYS);
}
