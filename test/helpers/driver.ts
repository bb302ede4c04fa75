// Runs a driver script in a child process whose environment is exactly `env` (plus PATH and HOME),
// the way a JavaScript action's step runs. Used for the @actions/* clients, which read their
// environment when first imported, so a test cannot set it in-process. A driver prints one line
// `RESULT <json array>` with one result per operation.
import { execFile } from 'node:child_process';

export type DriverOutcome<E extends { name: string; message: string } = { name: string; message: string }> =
  | { ok: true; value: unknown }
  | { ok: false; error: E };

export interface DriverRun<R> {
  results: R[];
  stdout: string;
  stderr: string;
}

export function runDriver<R>(driverFile: string, env: Record<string, string>, ops: unknown[], what: string): Promise<DriverRun<R>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', driverFile, JSON.stringify(ops)],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line) {
          reject(new Error(`${what} produced no result (${err?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ results: JSON.parse(line.slice('RESULT '.length)) as R[], stdout, stderr });
      },
    );
  });
}

/** The value of a successful operation, or a thrown error saying what failed instead. */
export function ok<T>(r: DriverOutcome | undefined): T {
  if (!r) throw new Error('no result');
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as T;
}

/** The error of a failed operation, or a thrown error when it succeeded. */
export function failed<E extends { name: string; message: string }>(r: DriverOutcome<E> | undefined): E {
  if (!r) throw new Error('no result');
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
}
