// The JSON object body of a control-surface request (the /__gh routes tests call).
import { readSmallBody } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import { SetupError } from '../operations.ts';

export async function controlBody(ctx: Ctx): Promise<Record<string, unknown>> {
  const raw = await readSmallBody(ctx.req);
  if (!raw) throw new SetupError(413, 'control body too large');
  if (!raw.length) return {};
  try {
    const v = JSON.parse(raw.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new SetupError(400, `control body must be a JSON object: ${(err as Error).message}`);
  }
}
