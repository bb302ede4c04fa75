// The OAuth 2.0 authorization server and identity service. Every route here is served on the
// login host, the test host and every org's My Domain (§0.1 rule 1).
import type { Router } from '../http/router.ts';
import { registerAuthorizeRoutes } from './authorize.ts';
import { registerIdentityRoutes } from './identity.ts';
import { registerRevokeRoutes } from './revoke.ts';
import { registerTokenRoutes } from './token.ts';

export function registerOAuthRoutes(router: Router): void {
  registerTokenRoutes(router);
  registerAuthorizeRoutes(router);
  registerRevokeRoutes(router);
  registerIdentityRoutes(router);
}
