// status.json: every org's state, for other tools.
import { siteModel } from '../lib/current.ts';
import { siteStatus } from '../lib/status-json.ts';

export function GET(): Response {
  return new Response(`${JSON.stringify(siteStatus(siteModel()), null, 2)}\n`, { headers: { 'content-type': 'application/json' } });
}
