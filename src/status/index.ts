// The status data contract, shared with the status site: the schema, the file layout on the data
// branch, and the pure updates (runs, campaigns, redaction). Nothing here needs Node or the Actions
// toolkit (test/unit/status/contract.test.ts checks it), so a browser bundle can import it as it is.
// Reading and writing the data (files.ts, fetch.ts), the secret guard (secrets.ts) and the branch
// publisher (publish.ts) are imported from their own modules.
export * from './campaigns.ts';
export * from './layout.ts';
export * from './redact.ts';
export * from './schema.ts';
export * from './update.ts';
