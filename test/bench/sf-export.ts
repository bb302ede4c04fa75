// The Salesforce CLI as a user would script it: one `sf data export bulk` per object, one after the
// other (sf runs one query per command), in a sealed home logged in with an access token.
import path from 'node:path';
import { type SfHome, sfHome, sfOk } from '../interop/sf.ts';
import type { BenchObject, Session } from './org.ts';

const ALIAS = 'bench';

export interface SfContender {
  home: SfHome;
  /** Exports every object; returns the rows sf reported. */
  run(objects: BenchObject[], dir: string, log: (line: string) => void): Promise<number>;
}

export async function prepareSf(session: Session): Promise<SfContender> {
  const home = sfHome();
  try {
    await sfOk(home, ['org', 'login', 'access-token', '--instance-url', session.instanceUrl, '--no-prompt', '--alias', ALIAS, '--set-default'], {
      env: { SF_ACCESS_TOKEN: session.accessToken },
    });
  } catch (err) {
    home.remove();
    throw err;
  }
  const run = async (objects: BenchObject[], dir: string, log: (line: string) => void): Promise<number> => {
    let rows = 0;
    for (const obj of objects) {
      const { result, run } = await sfOk<{ totalSize: number }>(
        home,
        ['data', 'export', 'bulk', '-q', obj.soql, '--all-rows', '--output-file', path.join(dir, `${obj.name}.csv`), '--wait', '60', '--target-org', ALIAS],
        { timeoutMs: 30 * 60_000 },
      );
      rows += result.totalSize;
      log(`  sf ${obj.name}: ${result.totalSize} rows in ${(run.ms / 1000).toFixed(1)} s`);
    }
    return rows;
  };
  return { home, run };
}
