// Authorization codes of the web-server flow: opaque, single use, 15 minutes (§1.1, §1.4).
import { createHash, randomBytes } from 'node:crypto';
import { type EmulatorState, extSlot } from '../state.ts';

export const CODE_LIFETIME_MS = 15 * 60 * 1000;

export interface AuthCode {
  code: string;
  appKey: string;
  userId: string;
  orgId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  createdAt: number;
  used: boolean;
}

function codes(state: EmulatorState): Map<string, AuthCode> {
  return extSlot(state, 'oauth.codes', () => new Map<string, AuthCode>());
}

/** Real codes start `aPrx` and end in `==`, so clients must URL-decode the redirect's query. */
function newCodeValue(): string {
  return `aPrx${randomBytes(60)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 70)}==`;
}

export function issueCode(state: EmulatorState, input: Omit<AuthCode, 'code' | 'createdAt' | 'used'>): AuthCode {
  const all = codes(state);
  const now = state.clock.now();
  // Forget long-dead codes so a long test run does not accumulate them.
  for (const [k, c] of all) if (now - c.createdAt > 4 * CODE_LIFETIME_MS) all.delete(k);
  const code: AuthCode = { ...input, code: newCodeValue(), createdAt: now, used: false };
  all.set(code.code, code);
  return code;
}

export function findCode(state: EmulatorState, code: string): AuthCode | undefined {
  return codes(state).get(code);
}

/** RFC 7636: S256 compares base64url(sha256(verifier)) without padding; no length cap (jsforce sends 171 chars). */
export function verifierMatches(code: AuthCode, verifier: string): boolean {
  if (!code.codeChallenge) return false;
  if (code.codeChallengeMethod === 'plain') return verifier === code.codeChallenge;
  return createHash('sha256').update(verifier).digest('base64url') === code.codeChallenge;
}
