// "Byte strings": UTF-8 bytes held one per JS char (latin1 decoding). The export path keeps row
// text in this form from the HTTP body to the snapshot file: latin1 decoding and encoding are plain
// copies, every string is a one-byte string (half the memory of the two-byte strings any Greek or
// CJK character would otherwise force on a whole page), and nothing is transcoded twice. CSV syntax
// (`"` `,` CR LF) and Salesforce Ids are ASCII, and UTF-8 never uses bytes below 0x80 inside a
// multi-byte character, so parsing, quoting and Id comparison work on byte strings unchanged.

const NON_ASCII = /[\u0080-\uffff]/;

/** A JS string as its byte string (a copy only when it has non-ASCII characters). */
export function toByteString(s: string): string {
  return NON_ASCII.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** A byte string back to the text it encodes. */
export function fromByteString(b: string): string {
  return NON_ASCII.test(b) ? Buffer.from(b, 'latin1').toString('utf8') : b;
}

/** The UTF-8 byte order mark as a byte string. */
export const BYTE_BOM = '\u00ef\u00bb\u00bf';
