// Records back out of the Recycle Bin with their original Ids. Neither REST nor Bulk API 2.0 can
// undelete, so this is the SOAP partner API's `undelete` call: up to 200 Ids per call, one
// UndeleteResult per Id in the order sent. A record that cannot come back (purged, never deleted)
// is an error in its result, not a failed call.
import { SalesforceHttpError, withRetry } from '../export/retry.ts';
import type { OrgHttp } from './transport.ts';

/** The most Ids one undelete() call takes. */
export const UNDELETE_BATCH = 200;

export interface UndeleteOutcome {
  id: string;
  success: boolean;
  /** `STATUS_CODE: message` of each error; empty on success. */
  errors: string[];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' })[c] as string};`);
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()] as string;
    return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
  });
}

export function undeleteEnvelope(sessionId: string, ids: readonly string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">',
    `<soapenv:Header><urn:SessionHeader><urn:sessionId>${escapeXml(sessionId)}</urn:sessionId></urn:SessionHeader></soapenv:Header>`,
    `<soapenv:Body><urn:undelete>${ids.map((id) => `<urn:ids>${escapeXml(id)}</urn:ids>`).join('')}</urn:undelete></soapenv:Body>`,
    '</soapenv:Envelope>',
  ].join('');
}

/** Text of the first `<name>` element (any namespace prefix) inside `xml`. */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return m ? unescapeXml(m[1] as string) : undefined;
}

function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] as string);
}

/**
 * The UndeleteResults of a response. The response's shape is small and fixed (result → id,
 * success, errors → statusCode, message), so a few patterns read it without an XML library.
 */
export function parseUndeleteResponse(xml: string, ids: readonly string[]): UndeleteOutcome[] {
  const results = elements(xml, 'result');
  if (results.length !== ids.length) {
    throw new SalesforceHttpError(200, 'UNEXPECTED_RESPONSE', `undelete answered ${results.length} results for ${ids.length} Ids`);
  }
  return results.map((r, i) => {
    const errors = elements(r, 'errors').map((e) => `${element(e, 'statusCode') ?? 'UNKNOWN'}: ${element(e, 'message') ?? ''}`.trim());
    return { id: element(r, 'id') || (ids[i] as string), success: element(r, 'success') === 'true', errors };
  });
}

/** A SOAP fault: `sf:INVALID_SESSION_ID` and the like, carried in a 500. */
function soapFault(status: number, text: string): SalesforceHttpError {
  const code = element(text, 'faultcode');
  if (code === undefined)
    return new SalesforceHttpError(
      status,
      `ERROR_HTTP_${status}`,
      text
        .replace(/<[^>]*>/g, ' ')
        .trim()
        .slice(0, 200),
    );
  return new SalesforceHttpError(status, code.replace(/^\w+:/, ''), element(text, 'faultstring') ?? code);
}

/** Undeletes `ids` (any number, sent 200 at a time); one outcome per Id, in the order given. */
export async function undelete(http: OrgHttp, ids: readonly string[], onRetry?: (err: unknown, attempt: number) => void): Promise<UndeleteOutcome[]> {
  const out: UndeleteOutcome[] = [];
  for (let i = 0; i < ids.length; i += UNDELETE_BATCH) {
    const batch = ids.slice(i, i + UNDELETE_BATCH);
    const text = await withRetry(
      async () => {
        const res = await http.send(
          {
            method: 'POST',
            path: `/services/Soap/u/${http.version}`,
            contentType: 'text/xml; charset=UTF-8',
            headers: { accept: 'text/xml', soapaction: '""' },
            // The session header is built per send, so a replay after a refresh carries the new token.
            body: () => undeleteEnvelope(http.conn.accessToken ?? '', batch),
          },
          {
            sessionEnded: (status, body) => status >= 400 && /INVALID_SESSION_ID/.test(body),
            toError: soapFault,
          },
        );
        return res.text();
      },
      undefined,
      onRetry,
    );
    out.push(...parseUndeleteResponse(text, batch));
  }
  return out;
}
