// The SOAP partner API (`/services/Soap/u/<version>[/<orgId>]`), for the calls that have no REST
// or Bulk form and that a restore needs: `undelete()` and `emptyRecycleBin()`. The session comes in
// the envelope's SessionHeader, as Salesforce requires; errors of a whole call are SOAP faults
// (HTTP 500), errors of one record are in its result, as the partner WSDL lays them out.
import { sendText } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { isValidIdShape, to18 } from '../ids.ts';
import type { Org } from '../model.ts';
import { limitInfoHeader, resolveSession } from '../oauth/authenticate.ts';
import { atomically, emptyRecycleBinRecord, type SaveResult, saveError, undeleteRecord } from '../store/dml.ts';
import { child, childrenNamed, escapeXml, parseXml, type XmlElement, XmlSyntaxError } from './xml.ts';

const XML_TYPE = 'text/xml;charset=UTF-8';
const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
/** The partner API's limit per call of undelete() and emptyRecycleBin(). */
const MAX_IDS = 200;

function sendFault(ctx: Ctx, code: string, message: string, client = false): void {
  const faultcode = client ? 'soapenv:Client' : `sf:${code}`;
  const faultstring = client ? message : `${code}: ${message}`;
  const detail = client
    ? ''
    : `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>`;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring>${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
  sendText(ctx.res, 500, body, XML_TYPE);
}

function resultXml(r: SaveResult): string {
  const errors = r.errors
    .map(
      (e) =>
        `<errors>${e.fields.map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`,
    )
    .join('');
  const id = r.id ? `<id>${r.id}</id>` : '<id xsi:nil="true"/>';
  return `<result>${errors}${id}<success>${r.success}</success></result>`;
}

function sendResults(ctx: Ctx, org: Org, operation: string, results: SaveResult[]): void {
  const used = /api-usage=(\d+)\/(\d+)/.exec(limitInfoHeader(org));
  const header = used
    ? `<soapenv:Header><LimitInfoHeader><limitInfo><current>${used[1]}</current><limit>${used[2]}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header>`
    : '';
  const body = `${ENVELOPE_OPEN}${header}<soapenv:Body><${operation}Response>${results.map(resultXml).join('')}</${operation}Response></soapenv:Body></soapenv:Envelope>`;
  sendText(ctx.res, 200, body, XML_TYPE);
}

/**
 * With AllOrNoneHeader: when one record fails, nothing is kept, and the records that would have
 * succeeded say so.
 */
function allOrNone(results: SaveResult[]): SaveResult[] {
  if (results.every((r) => r.success)) return results;
  const rolledBack = saveError(
    'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  );
  return results.map((r) => (r.success ? { ...(r.id ? { id: r.id } : {}), success: false, errors: [rolledBack] } : r));
}

type Operation = (org: Org, userId: string, ids: string[]) => SaveResult[];

const OPERATIONS: Record<string, Operation> = {
  undelete: (org, userId, ids) => {
    const restored = new Set<string>();
    const results: (SaveResult | undefined)[] = ids.map(() => undefined);
    // Records deleted by themselves first: the records deleted along with them then succeed too.
    const order = ids.map((id, i) => ({ id, i, root: !isValidIdShape(id) || !org.store.deletedWith(to18(id.slice(0, 15))) }));
    order.sort((a, b) => Number(b.root) - Number(a.root) || a.i - b.i);
    for (const { id, i } of order) {
      const obj = org.store.objectOfId(id);
      results[i] = obj ? undeleteRecord(org, obj, id, { userId }, restored) : { success: false, errors: [saveError('MALFORMED_ID', `malformed id ${id}`)] };
    }
    return results as SaveResult[];
  },
  emptyRecycleBin: (org, _userId, ids) => ids.map((id) => emptyRecycleBinRecord(org, id)),
};

async function handle(ctx: Ctx): Promise<void> {
  const version = /^(\d+)\.0$/.exec(ctx.params.version ?? '');
  const v = version ? Number(version[1]) : Number.NaN;
  let envelope: XmlElement;
  try {
    envelope = parseXml((await ctx.body()).toString('utf8'));
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    sendFault(ctx, 'INVALID_XML', `Unable to parse the request: ${err.message}`, true);
    return;
  }
  const body = child(envelope, 'Body');
  if (envelope.name !== 'Envelope' || !body) {
    sendFault(ctx, 'INVALID_XML', 'Missing SOAP envelope or body', true);
    return;
  }
  const sessionId = child(child(child(envelope, 'Header'), 'SessionHeader'), 'sessionId')?.text.trim() ?? '';
  if (!sessionId) {
    sendFault(ctx, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    return;
  }
  const auth = resolveSession(ctx, sessionId);
  if (auth === 'invalid') {
    sendFault(ctx, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash');
    return;
  }
  if (auth === 'disabled') {
    sendFault(ctx, 'API_DISABLED_FOR_ORG', 'API is not enabled for this Organization or Partner');
    return;
  }
  if (auth === 'limit') {
    sendFault(ctx, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    return;
  }
  if (!Number.isInteger(v) || v < ctx.state.apiVersions.min || v > ctx.state.apiVersions.max) {
    sendFault(ctx, 'UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${ctx.params.version}`);
    return;
  }
  if (ctx.params.orgId && ctx.params.orgId.slice(0, 15) !== auth.org.id.slice(0, 15)) {
    sendFault(ctx, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: the session belongs to another organization');
    return;
  }
  const call = body.children[0];
  const op = call ? OPERATIONS[call.name] : undefined;
  if (!call || !op) {
    sendFault(ctx, 'INVALID_OPERATION', `No operation available for request {urn:partner.soap.sforce.com}${call?.name ?? ''}`, true);
    return;
  }
  const ids = childrenNamed(call, 'ids').map((e) => e.text.trim());
  if (ids.length > MAX_IDS) {
    sendFault(ctx, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_IDS} records into this call`);
    return;
  }
  const all = child(child(child(envelope, 'Header'), 'AllOrNoneHeader'), 'allOrNone')?.text.trim() === 'true';
  const org = auth.org;
  const userId = auth.user.id;
  const results = all
    ? allOrNone(
        atomically(
          org,
          () => op(org, userId, ids),
          (out) => out.every((r) => r.success),
        ),
      )
    : op(org, userId, ids);
  sendResults(ctx, org, call.name, results);
}

export function registerSoapRoutes(router: Router): void {
  router.add('POST', '/services/Soap/u/:version', handle);
  router.add('POST', '/services/Soap/u/:version/:orgId', handle);
}
