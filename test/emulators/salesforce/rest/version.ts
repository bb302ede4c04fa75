import { notFound } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';

/** The `vXX.X` path parameter as `XX.X`, or 404 when the emulator does not serve that version. */
export function apiVersion(ctx: Ctx): string {
  const raw = ctx.params.version ?? '';
  const m = /^v(\d+)\.0$/.exec(raw);
  if (!m) throw notFound();
  const n = Number(m[1]);
  if (n < ctx.state.apiVersions.min || n > ctx.state.apiVersions.max) throw notFound();
  return `${n}.0`;
}

export function dataBase(version: string): string {
  return `/services/data/v${version}`;
}
