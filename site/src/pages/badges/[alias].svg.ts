// badges/<alias>.svg: the org's state as a self-contained badge.
import { badgeSvg } from '../../lib/badge.ts';
import { siteModel } from '../../lib/current.ts';
import type { SiteState } from '../../lib/states.ts';

export function getStaticPaths(): Array<{ params: { alias: string }; props: { state: SiteState } }> {
  return siteModel().orgs.map((o) => ({ params: { alias: o.alias }, props: { state: o.state } }));
}

export function GET({ params, props }: { params: { alias: string }; props: { state: SiteState } }): Response {
  return new Response(badgeSvg(params.alias, props.state), { headers: { 'content-type': 'image/svg+xml' } });
}
