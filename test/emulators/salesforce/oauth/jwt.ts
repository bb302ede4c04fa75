// JSON Web Tokens both ways: the OpenID Connect id_token the emulator signs (RS256, key published
// at /id/keys) and the jwt-bearer assertions clients sign with their Connected App certificate.
import { createHash, createPublicKey, createSign, createVerify, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type EmulatorState, extSlot } from '../state.ts';

const KID = '252';

interface SigningKey {
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

function signingKey(state: EmulatorState): SigningKey {
  // Generated on first use: RSA key generation costs tens of milliseconds a test run rarely needs.
  return extSlot(state, 'oauth.signingKey', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' } };
  });
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(state: EmulatorState, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ kid: KID, typ: 'JWT', alg: 'RS256' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(signingKey(state).privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

export function jwks(state: EmulatorState): { keys: JsonWebKey[] } {
  return { keys: [signingKey(state).jwk] };
}

/** OpenID Connect id_token for a token response whose scope includes `openid`. */
export function idToken(
  state: EmulatorState,
  opts: { issuer: string; idUrl: string; clientId: string; accessToken: string; now: number; nonce?: string; user: { username: string; email: string } },
): string {
  // at_hash: left half of the SHA-256 of the access token (OpenID Connect Core 3.1.3.6).
  const atHash = createHash('sha256').update(opts.accessToken).digest().subarray(0, 16).toString('base64url');
  const iat = Math.floor(opts.now / 1000);
  return signJwt(state, {
    at_hash: atHash,
    sub: opts.idUrl,
    aud: opts.clientId,
    iss: opts.issuer,
    exp: iat + 300,
    iat,
    ...(opts.nonce ? { nonce: opts.nonce } : {}),
    preferred_username: opts.user.username,
    email: opts.user.email,
  });
}

export interface Assertion {
  claims: Record<string, unknown>;
  /** Verifies the RS256 signature with a PEM certificate or public key. */
  verify(pem: string): boolean;
}

/** Parses a compact RS256 JWT without trusting it; undefined when it is not one. */
export function parseAssertion(jwt: string): Assertion | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'RS256') return undefined;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  return {
    claims: claims as Record<string, unknown>,
    verify(pem: string): boolean {
      try {
        return createVerify('RSA-SHA256').update(`${head}.${body}`).verify(createPublicKey(pem), Buffer.from(sig, 'base64url'));
      } catch {
        return false;
      }
    },
  };
}
