import type { OrgStore } from './store/db.ts';

/** One HTTP(S) server socket and the host it plays. */
export interface Listener {
  /** `login` = login.salesforce.com, `test` = test.salesforce.com, `instance` = an org's My Domain. */
  kind: 'login' | 'test' | 'instance';
  scheme: 'http' | 'https';
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  /** For instance listeners: the org whose My Domain this is. */
  orgId?: string;
}

export interface Org {
  id: string; // 18-char 00D id
  alias: string;
  name: string;
  isSandbox: boolean;
  instanceName: string;
  orgType: string;
  namespacePrefix: string | null;
  /** Two characters that every record id of this org carries after its key prefix. */
  pod: string;
  /** Set once the instance listeners are up. */
  instanceUrl: string;
  instanceUrlHttps?: string;
  store: OrgStore;
  limits: OrgLimits;
  /** REST API disabled for the org (403 API_DISABLED_FOR_ORG). */
  apiDisabled: boolean;
  /** Lets create/insert set CreatedDate/CreatedById/LastModified* ("Set Audit Fields upon Record Creation"). */
  allowAuditFieldsOnCreate: boolean;
  /** Bulk API hard delete permission. */
  allowHardDelete: boolean;
}

export interface OrgLimits {
  dailyApiMax: number;
  /** Requests counted in the current 24 h window. */
  used: number;
  windowStart: number;
  /** Flip to REQUEST_LIMIT_EXCEEDED once used >= this (defaults to dailyApiMax). */
  exceedAt?: number;
}

export interface User {
  id: string; // 005…
  orgId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  active: boolean;
  frozen: boolean;
  timezone: string;
  locale: string;
  /** How an inactive user's refresh is answered (Salesforce varies). */
  inactiveDescription?: string;
}

export type RefreshTokenPolicy = { kind: 'infinite' } | { kind: 'immediate' } | { kind: 'idle'; seconds: number } | { kind: 'absolute'; seconds: number };

export interface ConnectedApp {
  name: string;
  consumerKey: string;
  consumerSecret: string;
  callbackUrls: string[];
  scopes: string[];
  /** When these credentials were (re)issued; the app is unknown until createdAt + propagationDelaySec. */
  createdAt: number;
  propagationDelaySec: number;
  requireSecretWebServer: boolean;
  requireSecretRefresh: boolean;
  requirePkce: boolean;
  refreshTokenPolicy: RefreshTokenPolicy;
  idleTtlCap30d: boolean;
  rotation: boolean;
  sessionTimeoutSec: number;
  maxApprovals: number;
  evictionOrder: 'createdAt' | 'lastUsedAt';
  clientCredentialsUser?: string;
  /** Consumer keys this app had before: tokens issued under them are dead. */
  previousKeys: string[];
}
