// The Salesforce CLI loading records as a user would script it: one `sf data import bulk` per CSV
// file, one after the other (sf runs one ingest job per command), in a sealed home logged in with
// an access token. Telemetry and self-updates are off (test/interop/sf.ts SF_QUIET_ENV).
import { type SfHome, sfHome, sfOk } from '../interop/sf.ts';
import { api, type Session } from './org.ts';

const ALIAS = 'bench';

export interface ImportFile {
  object: string;
  file: string;
  rows: number;
}

export interface SfImporter {
  home: SfHome;
  /** Loads every file; returns the rows sf reported as successful and the seconds its commands took. */
  run(files: ImportFile[], log: (line: string) => void): Promise<{ rows: number; seconds: number }>;
}

export async function prepareSfImport(session: Session): Promise<SfImporter> {
  const home = sfHome();
  try {
    await sfOk(home, ['org', 'login', 'access-token', '--instance-url', session.instanceUrl, '--no-prompt', '--alias', ALIAS, '--set-default'], {
      env: { SF_ACCESS_TOKEN: session.accessToken },
    });
  } catch (err) {
    home.remove();
    throw err;
  }
  const run = async (files: ImportFile[], log: (line: string) => void): Promise<{ rows: number; seconds: number }> => {
    let rows = 0;
    let ms = 0;
    for (const f of files) {
      // sf fails (non-zero exit, so sfOk throws) when any row of the job failed.
      const { result, run } = await sfOk<{ jobId?: string; successfulRecords?: number; processedRecords?: number }>(
        home,
        [
          'data',
          'import',
          'bulk',
          '--file',
          f.file,
          '--sobject',
          f.object,
          '--line-ending',
          'LF',
          '--column-delimiter',
          'COMMA',
          '--wait',
          '60',
          '--target-org',
          ALIAS,
        ],
        { timeoutMs: 60 * 60_000 },
      );
      const ok = result.successfulRecords ?? 0;
      rows += ok;
      ms += run.ms;
      log(`  sf ${f.object}: ${ok} of ${f.rows} rows in ${(run.ms / 1000).toFixed(1)} s`);
      // Between commands, not timed: the emulator keeps a finished job's upload and results in
      // memory (Salesforce keeps them a week on its side), and a million rows of them exhausted it.
      if (result.jobId) (await api(session, `/jobs/ingest/${result.jobId}`, { method: 'DELETE' })).body?.cancel();
    }
    return { rows, seconds: ms / 1000 };
  };
  return { home, run };
}
