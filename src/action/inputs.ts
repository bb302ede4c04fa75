// The action's inputs, read once and typed. Secret inputs are masked the moment they are read,
// before validation can echo anything.
import * as core from '@actions/core';
import { z } from 'zod';
import { orgCredentialsSchema, parseSettings } from '../salesforce/connection.ts';

export const COMMANDS = ['check'] as const;

const inputsSchema = orgCredentialsSchema.extend({
  command: z.enum(COMMANDS, { error: `must be one of: ${COMMANDS.join(', ')}` }),
});

export type ActionInputs = z.output<typeof inputsSchema>;

/** Schema key → the input's name in action.yml, for error messages. */
const INPUT_NAMES = {
  command: 'command',
  loginUrl: 'login-url',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  refreshToken: 'refresh-token',
  apiVersion: 'api-version',
} as const satisfies Record<keyof ActionInputs, string>;

const SECRET_INPUTS: (keyof ActionInputs)[] = ['clientId', 'clientSecret', 'refreshToken'];

export function getInputs(): ActionInputs {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(INPUT_NAMES)) {
    const value = core.getInput(name);
    if (SECRET_INPUTS.includes(key as keyof ActionInputs) && value) core.setSecret(value);
    // The runner fills in action.yml defaults; outside it, an empty input means "use the default".
    raw[key] = value === '' ? undefined : value;
  }
  raw.command ??= 'check';
  return parseSettings(inputsSchema, raw, INPUT_NAMES);
}
