import { RestError, readSmallBody } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';

/** A REST JSON body: an object, or 400 `Problems parsing JSON` as GitHub answers malformed input. */
export async function readRestJson(ctx: Ctx, documentationUrl: string): Promise<Record<string, unknown>> {
  const raw = await readSmallBody(ctx.req);
  if (!raw) throw new RestError(413, 'Payload too large', documentationUrl);
  if (!raw.length) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RestError(400, 'Problems parsing JSON', documentationUrl);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RestError(400, 'Problems parsing JSON', documentationUrl);
  return v as Record<string, unknown>;
}

/** GitHub's schema-validation 422: `Invalid request.\n\n"<field>" wasn't supplied.` and friends. */
export function invalid(message: string, documentationUrl: string): RestError {
  return new RestError(422, `Invalid request.\n\n${message}`, documentationUrl);
}

export function optionalString(b: Record<string, unknown>, key: string, documentationUrl: string): string | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`For '${key}', ${JSON.stringify(v)} is not a string.`, documentationUrl);
  return v;
}

export function requiredString(b: Record<string, unknown>, key: string, documentationUrl: string): string {
  const v = optionalString(b, key, documentationUrl);
  if (v === undefined) throw invalid(`"${key}" wasn't supplied.`, documentationUrl);
  return v;
}
