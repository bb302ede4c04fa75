import type { Router } from '../http/router.ts';

// PLACEHOLDER (to be replaced by the SOQL/query module).
export function registerQueryRoutes(_router: Router): void {}
