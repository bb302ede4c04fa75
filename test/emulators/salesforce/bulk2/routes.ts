import type { Router } from '../http/router.ts';

// PLACEHOLDER (to be replaced by the Bulk API 2.0 module).
export function registerBulkRoutes(_router: Router): void {}
