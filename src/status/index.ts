// The status data contract and its publishing: schema (shared with site/), pure updates,
// campaigns, redaction, the secret guard, the data directory, and the branch publisher.
export * from './campaigns.ts';
export * from './fetch.ts';
export * from './files.ts';
export * from './publish.ts';
export * from './redact.ts';
export * from './schema.ts';
export * from './secrets.ts';
export * from './update.ts';
