// badges/<alias>.json: a shields.io endpoint (https://img.shields.io/endpoint?url=…).
import { shieldsEndpoint } from '../../lib/badge.ts';
import { siteModel } from '../../lib/current.ts';
import type { SiteState } from '../../lib/states.ts';

export function getStaticPaths(): Array<{ params: { alias: string }; props: { state: SiteState } }> {
  return siteModel().orgs.map((o) => ({ params: { alias: o.alias }, props: { state: o.state } }));
}

export function GET({ params, props }: { params: { alias: string }; props: { state: SiteState } }): Response {
  return new Response(`${JSON.stringify(shieldsEndpoint(params.alias, props.state))}\n`, { headers: { 'content-type': 'application/json' } });
}
