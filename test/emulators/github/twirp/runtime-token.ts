import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BackendIds {
  runBackendId: string;
  jobBackendId: string;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * An `ACTIONS_RUNTIME_TOKEN` like the runner's: a JWT whose `scp` claim carries
 * `Actions.Results:<run backend id>:<job backend id>` among other scopes, signed (HS256) with the
 * emulator's key so the results service can tell its own tokens from forged ones.
 */
export function mintRuntimeToken(key: Buffer, ids: BackendIds, nowMs = Date.now()): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const nbf = Math.floor(nowMs / 1000);
  const payload = b64url(
    JSON.stringify({
      nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
      scp: `Actions.ExampleScope Actions.UploadArtifacts:${ids.runBackendId}:${ids.jobBackendId} Actions.Results:${ids.runBackendId}:${ids.jobBackendId}`,
      IdentityTypeClaim: 'System:ServiceIdentity',
      iss: 'vstoken.actions.githubusercontent.com',
      aud: 'vstoken.actions.githubusercontent.com|vso:00000000-0000-0000-0000-000000000000',
      nbf,
      exp: nbf + 6 * 3600,
    }),
  );
  const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** The backend ids a bearer token grants, or why it grants none. */
export function verifyRuntimeToken(token: string, key: Buffer, acceptUnsigned: boolean): BackendIds | { problem: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'the runtime token is not a JWT' };
  const [header, payload, sig] = parts as [string, string, string];
  if (!acceptUnsigned) {
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'the runtime token signature is invalid' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { problem: 'the runtime token payload is not JSON' };
  }
  const scp = (claims as { scp?: unknown }).scp;
  if (typeof scp !== 'string') return { problem: 'the runtime token has no scp claim' };
  for (const scope of scp.split(' ')) {
    const bits = scope.split(':');
    if (bits[0] !== 'Actions.Results') continue;
    if (bits.length !== 3 || !bits[1] || !bits[2]) return { problem: 'the runtime token has a malformed Actions.Results scope' };
    return { runBackendId: bits[1], jobBackendId: bits[2] };
  }
  return { problem: 'the runtime token has no Actions.Results scope' };
}
