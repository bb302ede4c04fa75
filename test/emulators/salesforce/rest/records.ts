import type { Router } from '../http/router.ts';

// PLACEHOLDER (to be replaced by the records module: CRUD, collections, tree, updated/deleted).
export function registerRecordRoutes(_router: Router): void {}
