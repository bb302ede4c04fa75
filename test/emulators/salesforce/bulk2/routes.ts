import type { Router } from '../http/router.ts';
import { registerIngestJobRoutes } from './ingest.ts';
import { registerQueryJobRoutes } from './query.ts';

/** Bulk API 2.0: query jobs (§3) and ingest jobs (§4). */
export function registerBulkRoutes(router: Router): void {
  registerQueryJobRoutes(router);
  registerIngestJobRoutes(router);
}
