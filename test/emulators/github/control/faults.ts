// Plays the shared FaultInjector's rules (see ../../salesforce/control/faults.ts) in the form each
// GitHub surface uses for errors.
import type { ServerResponse } from 'node:http';
import type { FaultRule } from '../../salesforce/control/faults.ts';
import { RestError, sendJson, sendRestError, sendText, type TwirpCode } from '../http/respond.ts';
import type { RequestLogEntry } from '../state.ts';

function twirpCode(status: number): TwirpCode {
  switch (status) {
    case 400:
      return 'invalid_argument';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 409:
      return 'already_exists';
    case 412:
      return 'failed_precondition';
    case 429:
      return 'resource_exhausted';
    case 503:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/** Returns true when the fault answered the request (it must not go on). */
export async function playFault(rule: FaultRule, surface: RequestLogEntry['surface'], res: ServerResponse): Promise<boolean> {
  if (rule.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
  if (rule.kind === 'delay') return false;
  if (rule.kind === 'drop') {
    res.socket?.destroy();
    return true;
  }
  if (rule.kind === 'json') {
    sendJson(res, rule.status ?? 400, rule.body ?? null);
    return true;
  }
  const status = rule.status ?? 500;
  if (surface === 'twirp') {
    // The status given wins over the code's usual one, so odd pairs stay testable.
    sendJson(res, status, { code: (rule.errorCode as TwirpCode | undefined) ?? twirpCode(status), msg: rule.message ?? 'injected fault' });
  } else if (surface === 'git') {
    sendText(res, status, `${rule.message ?? 'injected fault'}\n`);
  } else {
    sendRestError(res, new RestError(status, rule.message ?? (status >= 500 ? 'Server Error' : 'Injected fault')));
  }
  return true;
}
