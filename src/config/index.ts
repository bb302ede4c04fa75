// The org config: schema, loading with line numbers, and resolving secret names to credentials.
export { ConfigError, formatPath, loadConfig, parseConfig } from './load.ts';
export { parseSecretsMap, type ResolvedOrg, resolveOrg, type SecretsMap, selectOrg } from './resolve.ts';
export * from './schema.ts';
