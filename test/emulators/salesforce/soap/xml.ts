// Just enough XML for SOAP envelopes: elements (namespace prefixes dropped), attributes ignored,
// text with the predefined and numeric entities. Enough to read what jsforce and other partner-API
// clients send; no DTDs, no CDATA sections.

export interface XmlElement {
  /** Local name, without its namespace prefix. */
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Parses a document into its root element; throws XmlSyntaxError on unbalanced or missing tags. */
export function parseXml(source: string): XmlElement {
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  let consumed = 0;
  for (let m = token.exec(source); m; m = token.exec(source)) {
    if (m.index !== consumed) throw new XmlSyntaxError(`unexpected markup at offset ${consumed}`);
    consumed = token.lastIndex;
    const top = stack.at(-1) as XmlElement;
    if (m[5] !== undefined) {
      top.text += decodeEntities(m[5]);
      continue;
    }
    if (m[2] === undefined) continue; // comment or processing instruction
    const name = localName(m[2]);
    if (m[1] === '/') {
      if (stack.length < 2 || top.name !== name) throw new XmlSyntaxError(`unexpected </${m[2]}>`);
      stack.pop();
      continue;
    }
    const el: XmlElement = { name, children: [], text: '' };
    top.children.push(el);
    if (m[4] !== '/') stack.push(el);
  }
  if (consumed !== source.length) throw new XmlSyntaxError(`unexpected markup at offset ${consumed}`);
  if (stack.length !== 1) throw new XmlSyntaxError(`unclosed <${stack.at(-1)?.name}>`);
  const [first] = root.children;
  if (!first || root.children.length !== 1) throw new XmlSyntaxError('a document has exactly one root element');
  return first;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
