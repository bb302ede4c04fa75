// The org config: schema, loading with line numbers, and resolving secret names to credentials.
export { ConfigError, formatPath, loadConfig, parseConfig } from './load.ts';
export {
  type OrgSecretTargets,
  parseSecretsMap,
  type ResolvedOrg,
  resolveOrg,
  resolveSecretTargets,
  type SecretsMap,
  type SecretsSource,
  secretsScopeOf,
  selectOrg,
} from './resolve.ts';
export { type ExpectedSchedule, type ScheduleConfig, scheduleFromCron, scheduleOf, workflowCronLines } from './schedule.ts';
export * from './schema.ts';
