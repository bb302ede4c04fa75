import { RestError } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';

export interface Page<T> {
  items: T[];
  /** The `Link` header value, when there is more than one page. */
  link?: string;
}

function positiveInt(ctx: Ctx, name: string, fallback: number): number {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RestError(422, `Invalid request.\n\n"${name}" must be a positive integer.`);
  return n;
}

/** `per_page` (default 30, capped at `max`) and `page` (1-based), with GitHub's `Link` header. */
export function paginate<T>(ctx: Ctx, all: T[], max = 100): Page<T> {
  const perPage = Math.min(positiveInt(ctx, 'per_page', 30), max);
  const page = positiveInt(ctx, 'page', 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const href = (p: number) => {
    const u = new URL(`${ctx.state.baseUrl}${ctx.path}`);
    for (const [k, v] of ctx.url.searchParams) if (k !== 'page') u.searchParams.append(k, v);
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${href(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${href(page + 1)}; rel="next"`, `${href(last)}; rel="last"`);
  if (page > 1) rels.push(`${href(1)}; rel="first"`);
  return rels.length ? { items, link: rels.join(', ') } : { items };
}
