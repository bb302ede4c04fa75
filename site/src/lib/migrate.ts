// Data written by an older schema version is upgraded here, one version at a time, before the
// current schema validates it: an old file is read, never dropped. Version 1 is the first the
// action ever wrote, so the table is empty; a version that no step leads from is left to the
// schema, which names the file and says why it refuses it.
import { STATUS_SCHEMA_VERSION } from '../../../src/status/index.ts';

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** `MIGRATIONS[n]` turns a version-n file (status, history or campaigns) into version n+1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The file upgraded to the current version when every step exists; otherwise as it was. */
export function migrate(data: unknown, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, current = STATUS_SCHEMA_VERSION): unknown {
  if (!isRecord(data) || typeof data.schemaVersion !== 'number') return data;
  let out = data;
  let version = data.schemaVersion;
  while (version < current) {
    const step = migrations[version];
    if (!step) return data;
    out = { ...step(out), schemaVersion: version + 1 };
    version += 1;
  }
  return out;
}
