// Reads the org config and turns every problem into `<file>:<line>: <path> <what is wrong> — e.g. <fix>`,
// so a bad config fails at the first step with something a person can act on.
import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type FailureReason, MisconfiguredError } from '../runtime/auth-errors.ts';
import { type BackupConfig, configSchema } from './schema.ts';

export class ConfigError extends MisconfiguredError {
  readonly problems: string[];
  constructor(problems: string[], remedy: string, reason: FailureReason = 'bad_input') {
    super({ reason, message: problems.join('\n'), remedy });
    this.problems = problems;
  }
}

const REMEDY = 'Fix the lines named above in the org config; docs/setup.md describes every setting.';

/** `orgs[1].storage.kind` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** The line of the deepest node that exists along `path` (a missing key points at its parent). */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const keys = path.slice(0, n).map((p) => (typeof p === 'symbol' ? String(p) : p));
    const node = n === 0 ? doc.contents : doc.getIn(keys, true);
    if (isNode(node) && node.range) {
      // A missing key in a map is best shown at the map's first line, not its end.
      return counter.linePos(node.range[0]).line;
    }
  }
  return 1;
}

export function parseConfig(text: string, file: string): BackupConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const line = e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line;
      return `${file}:${line}: ${e.message.split('\n')[0]}`;
    });
    throw new ConfigError(problems, 'Fix the YAML syntax at the lines named above (indentation, a missing colon or quote).');
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined || !isMap(doc.contents)) {
    throw new ConfigError(
      [`${file}:1: the config must be a map with an orgs list — e.g. orgs: [{alias: prod, type: production, refresh-token-secret: SF_REFRESH_TOKEN_PROD}]`],
      REMEDY,
    );
  }
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => describeIssue(issue, doc, counter, file)),
    REMEDY,
  );
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, counter: LineCounter, file: string): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const where = [...issue.path, keys[0] ?? ''];
    const line = lineOf(doc, counter, where);
    return `${file}:${line}: ${formatPath(issue.path) || 'the config'} has unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} — check the spelling against docs/setup.md`;
  }
  let path = issue.path;
  let node = doc.getIn(
    path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    true,
  );
  const parent =
    path.length > 0
      ? doc.getIn(
          path.slice(0, -1).map((p) => (typeof p === 'symbol' ? String(p) : p)),
          true,
        )
      : undefined;
  // A shorthand scalar (`secrets-scope: environment`) is expanded to a map before validation, so
  // its problems arrive on keys the file never had: report them on the scalar itself.
  const shorthand = node === undefined && isScalar(parent);
  if (shorthand) {
    path = path.slice(0, -1);
    node = parent;
  }
  const line = lineOf(doc, counter, path);
  const missing = node === undefined && path.length > 0;
  let message = issue.message;
  if (missing) {
    const example = / — e\.g\. .*$/.exec(message)?.[0] ?? '';
    message = `is required${example}`;
  } else if (issue.code === 'invalid_type' && !isSeq(node) && /expected array/.test(issue.message)) message = 'must be a list';
  return `${file}:${line}: ${formatPath(path) || 'the config'} ${message}`;
}

export function loadConfig(file: string, displayName = file): BackupConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [`${displayName}: cannot read the org config (${code ?? (err as Error).message})`],
      code === 'ENOENT'
        ? `Create ${displayName} in the repository (see docs/setup.md), check out the repository before this step (actions/checkout), or give the single org by inputs (login-url, client-id, client-secret, refresh-token).`
        : REMEDY,
    );
  }
  return parseConfig(text, displayName);
}
