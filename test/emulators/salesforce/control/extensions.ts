import type { Router } from '../http/router.ts';

// Each module's own control knobs are registered here, so modules never edit each other's files.
// PLACEHOLDER list: modules add one import and one call each.
export function registerControlExtensions(_router: Router): void {}
