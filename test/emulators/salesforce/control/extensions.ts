import type { Router } from '../http/router.ts';
import { registerSoqlControl } from '../soql/control.ts';
import { registerBulkControl } from './bulk.ts';
import { registerOAuthControl } from './oauth.ts';
import { registerRecordControl } from './records.ts';

// Each module's own control knobs are registered here, so modules never edit each other's files.
// Modules add one import and one call each.
export function registerControlExtensions(router: Router): void {
  registerOAuthControl(router);
  registerBulkControl(router);
  registerSoqlControl(router);
  registerRecordControl(router);
}
