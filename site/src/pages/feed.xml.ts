// feed.xml: an Atom feed of state changes.
import { siteModel } from '../lib/current.ts';
import { atomFeed } from '../lib/feed.ts';

export function GET(): Response {
  return new Response(atomFeed(siteModel()), { headers: { 'content-type': 'application/atom+xml' } });
}
