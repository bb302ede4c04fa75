// OAuth behaviour the test-control surface can change, kept in this module's state slot so the
// shared model stays free of emulator-only switches.
import type { ConnectedApp } from '../model.ts';
import { type EmulatorState, extSlot } from '../state.ts';

/** An error /authorize redirects with instead of a code (the user clicked Deny, etc.). */
export interface AuthorizeFailure {
  error: string;
  description: string;
  /** Authorize calls it still applies to; 0 = until cleared. */
  remaining: number;
}

export interface OAuthSettings {
  /** Production orgs authenticate on the login host only, sandboxes on the test host only (§1.12). */
  enforceLoginHostKind: boolean;
  authorizeFailure?: AuthorizeFailure;
  /** Orgs that are locked, closed or suspended (`inactive organization`). */
  lockedOrgs: Set<string>;
  /** Users whose login IP ranges or hours reject the caller (`ip restricted`). */
  ipRestrictedUsers: Set<string>;
  /** Password-flow passwords; users without one use `defaultPassword`. */
  passwords: Map<string, string>;
  defaultPassword: string;
  /** `error_description` for an inactive or frozen user when the user carries none of its own. */
  inactiveDescription: string;
}

/** Settings of a Connected App that only the emulator needs; keyed by the app object itself. */
export interface AppExtras {
  /** "Enforce IP restrictions" with the caller outside the allowed ranges. */
  ipRestricted: boolean;
  /** client_credentials "Run As" user per org (the model's clientCredentialsUser also counts). */
  runAs: Map<string, string>;
  /** PEM certificate or public key that verifies jwt-bearer assertions. */
  jwtCertificate?: string;
  /** Users an admin pre-authorized for the JWT flow; `all` = every user of every org. */
  jwtPreAuthorized: Set<string> | 'all';
}

export const DEFAULT_PASSWORD = 'emulator-password';

export function oauthSettings(state: EmulatorState): OAuthSettings {
  return extSlot(state, 'oauth.settings', () => ({
    enforceLoginHostKind: true,
    lockedOrgs: new Set<string>(),
    ipRestrictedUsers: new Set<string>(),
    passwords: new Map<string, string>(),
    defaultPassword: DEFAULT_PASSWORD,
    inactiveDescription: 'inactive user',
  }));
}

export function appExtras(state: EmulatorState, app: ConnectedApp): AppExtras {
  const all = extSlot(state, 'oauth.appExtras', () => new WeakMap<ConnectedApp, AppExtras>());
  let extras = all.get(app);
  if (!extras) {
    extras = { ipRestricted: false, runAs: new Map(), jwtPreAuthorized: new Set() };
    all.set(app, extras);
  }
  return extras;
}

/** Consumes one use of the /authorize failure knob, if set. */
export function takeAuthorizeFailure(state: EmulatorState): AuthorizeFailure | undefined {
  const s = oauthSettings(state);
  const f = s.authorizeFailure;
  if (!f) return undefined;
  if (f.remaining > 0) {
    f.remaining--;
    if (f.remaining === 0) delete s.authorizeFailure;
  }
  return f;
}
