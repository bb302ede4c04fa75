// Actions secrets and variables, per scope (repository, environment, organization). Each scope has
// its own X25519 key pair; secrets arrive as libsodium sealed boxes and are opened on write, so tests
// can read back exactly what the writer encrypted (github-api.md §2.1, §2.3).
import sodium from 'libsodium-wrappers';
import { SetupError } from './operations.ts';
import { findRepo, type GitHubState, type PermissionName, type Repo, repoKey } from './state.ts';

export type ScopeKind = 'repository' | 'environment' | 'organization';

/** Where secrets and variables live; the shape of src/github/contracts.ts `SecretTarget` without `name`. */
export type ScopeRef =
  | { scope: 'repository'; owner: string; repo: string }
  | { scope: 'environment'; owner: string; repo: string; environment: string }
  | { scope: 'organization'; org: string };

export type OrgVisibility = 'all' | 'private' | 'selected';

export interface SecretKeyPair {
  /** A numeric string, as GitHub's key ids are. */
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  createdAt: number;
}

export interface StoredSecret {
  /** Upper-case, as GitHub stores it. */
  name: string;
  /** The opened sealed box (UTF-8). */
  value: string;
  /** What the writer sent, exactly. */
  encryptedValue: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
  visibility?: OrgVisibility;
  selectedRepositoryIds?: number[];
}

export interface StoredVariable {
  name: string;
  value: string;
  createdAt: number;
  updatedAt: number;
  visibility?: OrgVisibility;
  selectedRepositoryIds?: number[];
}

export interface ActionsScope {
  ref: ScopeRef;
  /** `repository acme/backups`, `environment prod of acme/backups`, `organization acme`. */
  label: string;
  keyPair: SecretKeyPair;
  /** Key ids replaced by rotations: a write with one of them is refused as stale. */
  retiredKeyIds: string[];
  secrets: Map<string, StoredSecret>;
  variables: Map<string, StoredVariable>;
}

/** Makes the next matching secret PUTs fail (after authentication and name checks). */
export interface SecretWriteFailure {
  id: number;
  scope?: ScopeKind;
  /** Repository / environment / organization to match (case-insensitive); absent = any. */
  owner?: string;
  repo?: string;
  environment?: string;
  org?: string;
  /** Secret name (case-insensitive); absent = any. */
  name?: string;
  status: number;
  message?: string;
  /** How many PUTs fail (default 1; 0 = until cleared). */
  times: number;
  fired: number;
}

export type SecretWriteFailureInput = Partial<Omit<SecretWriteFailure, 'id' | 'fired'>> & { status: number };

/** One secret PUT as received (never the plaintext). */
export interface SecretWriteRecord {
  seq: number;
  at: number;
  scope: string;
  name: string;
  keyId: string | null;
  encryptedValue: string | null;
  status: number;
  /** `created`/`updated`, or why it was refused. */
  outcome: string;
}

export interface ActionsStore {
  scopes: Map<string, ActionsScope>;
  /** Environment names by `repoKey`: lower-case name → name as created. */
  environments: Map<string, Map<string, string>>;
  failures: SecretWriteFailure[];
  writes: SecretWriteRecord[];
  next: { keyId: bigint; failure: number; write: number };
}

export function newActionsStore(): ActionsStore {
  return { scopes: new Map(), environments: new Map(), failures: [], writes: [], next: { keyId: 568250167242549743n, failure: 1, write: 1 } };
}

/** libsodium-wrappers' WASM must be ready before any key pair is made or box opened. */
export async function initSodium(): Promise<void> {
  await sodium.ready;
}

export const SECRET_PERMISSION: Record<ScopeKind, PermissionName> = {
  repository: 'secrets',
  environment: 'environments',
  organization: 'organization_secrets',
};

export const VARIABLE_PERMISSION: Record<ScopeKind, PermissionName> = {
  repository: 'actions_variables',
  environment: 'environments',
  organization: 'organization_actions_variables',
};

export const LIMITS = {
  secrets: { repository: 100, environment: 100, organization: 1000 } as Record<ScopeKind, number>,
  variables: { repository: 500, environment: 100, organization: 1000 } as Record<ScopeKind, number>,
  /** Secret and variable values: 48 KB. */
  valueBytes: 48 * 1024,
};

export function orgExists(state: GitHubState, org: string): boolean {
  const o = org.toLowerCase();
  for (const r of state.repos.values()) if (r.owner.toLowerCase() === o) return true;
  return false;
}

export function createEnvironment(state: GitHubState, repo: Repo, name: string): string {
  if (!name || name.length > 255 || [...name].some((c) => c.charCodeAt(0) < 0x20))
    throw new SetupError(422, `invalid environment name ${JSON.stringify(name)}`);
  const key = repoKey(repo.owner, repo.name);
  let envs = state.actions.environments.get(key);
  if (!envs) {
    envs = new Map();
    state.actions.environments.set(key, envs);
  }
  const existing = envs.get(name.toLowerCase());
  if (existing) return existing;
  envs.set(name.toLowerCase(), name);
  return name;
}

export function environmentName(state: GitHubState, repo: Repo, name: string): string | undefined {
  return state.actions.environments.get(repoKey(repo.owner, repo.name))?.get(name.toLowerCase());
}

function scopeKey(ref: ScopeRef): string {
  if (ref.scope === 'repository') return `repo:${repoKey(ref.owner, ref.repo)}`;
  if (ref.scope === 'environment') return `env:${repoKey(ref.owner, ref.repo)}:${ref.environment.toLowerCase()}`;
  return `org:${ref.org.toLowerCase()}`;
}

function labelOf(ref: ScopeRef): string {
  if (ref.scope === 'repository') return `repository ${ref.owner}/${ref.repo}`;
  if (ref.scope === 'environment') return `environment ${ref.environment} of ${ref.owner}/${ref.repo}`;
  return `organization ${ref.org}`;
}

function newKeyPair(state: GitHubState): SecretKeyPair {
  const kp = sodium.crypto_box_keypair();
  const keyId = String(state.actions.next.keyId++);
  return { keyId, publicKey: kp.publicKey, privateKey: kp.privateKey, createdAt: state.clock.now() };
}

/**
 * The scope, made on first use, or undefined when its repository, environment or organization does
 * not exist. Names are matched case-insensitively and the ref is canonicalised to the stored spelling.
 */
export function findScope(state: GitHubState, ref: ScopeRef): ActionsScope | undefined {
  let canonical: ScopeRef;
  if (ref.scope === 'organization') {
    if (!orgExists(state, ref.org)) return undefined;
    const repo = [...state.repos.values()].find((r) => r.owner.toLowerCase() === ref.org.toLowerCase()) as Repo;
    canonical = { scope: 'organization', org: repo.owner };
  } else {
    const repo = findRepo(state, ref.owner, ref.repo);
    if (!repo) return undefined;
    if (ref.scope === 'environment') {
      const env = environmentName(state, repo, ref.environment);
      if (!env) return undefined;
      canonical = { scope: 'environment', owner: repo.owner, repo: repo.name, environment: env };
    } else {
      canonical = { scope: 'repository', owner: repo.owner, repo: repo.name };
    }
  }
  const key = scopeKey(canonical);
  let scope = state.actions.scopes.get(key);
  if (!scope) {
    scope = { ref: canonical, label: labelOf(canonical), keyPair: newKeyPair(state), retiredKeyIds: [], secrets: new Map(), variables: new Map() };
    state.actions.scopes.set(key, scope);
  }
  return scope;
}

/** For the handle and control surface: the scope or a 404 SetupError naming what is missing. */
export function scopeOrThrow(state: GitHubState, ref: ScopeRef): ActionsScope {
  const scope = findScope(state, ref);
  if (!scope) throw new SetupError(404, `no ${labelOf(ref)}${ref.scope === 'environment' ? ' (create the environment first)' : ''}`);
  return scope;
}

/** A new key pair and key id; writers still holding the old key id are refused. */
export function rotateKey(state: GitHubState, scope: ActionsScope): SecretKeyPair {
  scope.retiredKeyIds.push(scope.keyPair.keyId);
  scope.keyPair = newKeyPair(state);
  return scope.keyPair;
}

export function publicKeyBase64(scope: ActionsScope): string {
  return Buffer.from(scope.keyPair.publicKey).toString('base64');
}

/** Opens a sealed box sent as standard base64; undefined when it is not one for this key pair. */
export function openSealedBox(scope: ActionsScope, encryptedValue: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encryptedValue) || encryptedValue.length % 4 !== 0) return undefined;
  const cipher = Buffer.from(encryptedValue, 'base64');
  if (cipher.length < sodium.crypto_box_SEALBYTES) return undefined;
  try {
    const plain = sodium.crypto_box_seal_open(cipher, scope.keyPair.publicKey, scope.keyPair.privateKey);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return undefined;
  }
}

/** Seals a value for a scope, as a writer would (for seeding and for tests' own checks). */
export function sealFor(scope: ActionsScope, value: string): string {
  return Buffer.from(sodium.crypto_box_seal(sodium.from_string(value), scope.keyPair.publicKey)).toString('base64');
}

/** GitHub's naming rules for secrets and variables; undefined when the name is fine. */
export function nameProblem(kind: 'Secret' | 'Variable', name: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed.`;
  }
  if (/^[0-9]/.test(name)) return `${kind} names must not start with a number.`;
  if (/^GITHUB_/i.test(name)) return `${kind} names must not start with GITHUB_.`;
  return undefined;
}

function matches(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || (b !== undefined && a.toLowerCase() === b.toLowerCase());
}

export function addSecretFailure(state: GitHubState, input: SecretWriteFailureInput): SecretWriteFailure {
  if (!Number.isInteger(input.status) || input.status < 400 || input.status > 599) throw new SetupError(400, 'status must be an HTTP error status (400-599)');
  if (input.scope !== undefined && !['repository', 'environment', 'organization'].includes(input.scope)) {
    throw new SetupError(400, 'scope must be repository, environment or organization');
  }
  const rule: SecretWriteFailure = {
    id: state.actions.next.failure++,
    ...(input.scope ? { scope: input.scope } : {}),
    ...(input.owner ? { owner: input.owner } : {}),
    ...(input.repo ? { repo: input.repo } : {}),
    ...(input.environment ? { environment: input.environment } : {}),
    ...(input.org ? { org: input.org } : {}),
    ...(input.name ? { name: input.name } : {}),
    status: input.status,
    ...(input.message ? { message: input.message } : {}),
    times: input.times ?? 1,
    fired: 0,
  };
  state.actions.failures.push(rule);
  return rule;
}

/** The failure rule that fires for this PUT, if any (counts it). */
export function takeSecretFailure(state: GitHubState, scope: ActionsScope, name: string): SecretWriteFailure | undefined {
  const ref = scope.ref;
  for (const r of state.actions.failures) {
    if (r.times !== 0 && r.fired >= r.times) continue;
    if (r.scope && r.scope !== ref.scope) continue;
    if (!matches(r.name, name)) continue;
    if (ref.scope === 'organization') {
      if (r.owner || r.repo || r.environment || !matches(r.org, ref.org)) continue;
    } else {
      if (r.org || !matches(r.owner, ref.owner) || !matches(r.repo, ref.repo)) continue;
      if (!matches(r.environment, ref.scope === 'environment' ? ref.environment : undefined)) continue;
    }
    r.fired++;
    return r;
  }
  return undefined;
}

export function recordSecretWrite(state: GitHubState, rec: Omit<SecretWriteRecord, 'seq' | 'at'>): void {
  state.actions.writes.push({ seq: state.actions.next.write++, at: state.clock.now(), ...rec });
}

/** Stores a secret's plaintext (and what was sent); says whether it was new. */
export function storeSecret(
  state: GitHubState,
  scope: ActionsScope,
  name: string,
  fields: { value: string; encryptedValue: string; keyId: string; visibility?: OrgVisibility; selectedRepositoryIds?: number[] },
): 'created' | 'updated' {
  const upper = name.toUpperCase();
  const now = state.clock.now();
  const prev = scope.secrets.get(upper);
  const secret: StoredSecret = {
    name: upper,
    value: fields.value,
    encryptedValue: fields.encryptedValue,
    keyId: fields.keyId,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
  };
  const visibility = fields.visibility ?? prev?.visibility;
  if (scope.ref.scope === 'organization' && visibility) secret.visibility = visibility;
  const selected = fields.selectedRepositoryIds ?? prev?.selectedRepositoryIds;
  if (visibility === 'selected' && selected) secret.selectedRepositoryIds = selected;
  scope.secrets.set(upper, secret);
  return prev ? 'updated' : 'created';
}
