// Query parameters that carry credentials (identity calls put the access token in `oauth_token`,
// revoke takes `token`): the request log keeps their names but never their values.
const SECRET_PARAMS = new Set(['oauth_token', 'token', 'access_token', 'refresh_token', 'client_secret', 'code', 'code_verifier', 'password', 'assertion']);

export function redactQuery(search: string): string {
  if (!search || search === '?') return search;
  const parts = search.replace(/^\?/, '').split('&');
  const out = parts.map((p) => {
    const i = p.indexOf('=');
    const name = i >= 0 ? p.slice(0, i) : p;
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return i >= 0 && SECRET_PARAMS.has(decoded) ? `${name}=<redacted>` : p;
  });
  return `?${out.join('&')}`;
}
