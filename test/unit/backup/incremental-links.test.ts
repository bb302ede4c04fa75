// An incremental backup into a local folder does work in proportion to what changed: files of
// unchanged buckets are hard links to the previous snapshot's (never copied or rewritten), and a
// previous snapshot whose files still carry the stamps of the last run's check is not read again.
// A base file damaged since is still caught, and never linked into the next snapshot.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type BackupOptions, backupOrg } from '../../../src/backup/run.ts';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { loadManifest, stampsPathFor, verifySnapshot } from '../../../src/snapshot/index.ts';
import { LocalTarget } from '../../../src/storage/local.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';

let emu: Emulator;
let work: string;
before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 11 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'incremental-links-'));
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

const out = () => path.join(work, 'out');
const latest = () => realpathSync(path.join(out(), 'prod', 'latest'));

async function backup(n: number): Promise<{ lines: string[]; mode: string }> {
  const lines: string[] = [];
  const opts: BackupOptions = {
    alias: 'prod',
    credentials: orgCredentialsSchema.parse(creds(emu, 'prod')),
    target: new LocalTarget({ dir: out() }),
    workDir: path.join(work, `work-${n}`),
    fullEvery: 100,
    apiBudgetShare: 1,
    massDelete: { share: 0.5, minRows: 100 },
    toolVersion: 'test',
    exportTuning: { pollIntervalMs: 1, maxPollIntervalMs: 1 },
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`) },
    progress: () => {},
  };
  const r = await backupOrg(opts);
  assert.ok(r.published, lines.join('\n'));
  return { lines, mode: r.mode };
}

/** Manifest path → inode and link count of every data file of a snapshot. */
async function dataFiles(dir: string): Promise<Map<string, { ino: number; nlink: number }>> {
  const files = new Map<string, { ino: number; nlink: number }>();
  for (const f of (await loadManifest(dir)).objects.flatMap((o) => o.files)) {
    const st = statSync(path.join(dir, f.path));
    files.set(f.path, { ino: st.ino, nlink: st.nlink });
  }
  return files;
}

test('unchanged buckets are hard links to the previous snapshot, and only the changed file is new', async () => {
  await backup(1);
  const first = latest();
  assert.ok(statSync(stampsPathFor(first)).isFile(), 'the local target keeps the stamps of the checked files');
  const before = await dataFiles(first);
  const contact = [...before.keys()].find((p) => p.startsWith('data/Contact/'));
  assert.ok(contact);
  const id = readFileSync(path.join(first, contact), 'latin1').split('\n')[1]?.split(',')[0];
  assert.ok(id);
  await control(emu, 'PATCH', `/orgs/prod/records/Contact/${id}`, { values: { LastName: 'Changed since the last run' } });
  await control(emu, 'POST', '/clock', { advanceSec: 300 });

  const inc = await backup(2);
  assert.equal(inc.mode, 'incremental', inc.lines.join('\n'));
  const second = latest();
  assert.notEqual(second, first);
  const after = await dataFiles(second);
  const merged = new Set((await loadManifest(second)).objects.filter((o) => o.mode === 'incremental').map((o) => `data/${o.name}/`));
  let linked = 0;
  for (const [p, f] of after) {
    const was = before.get(p);
    if (p === contact) {
      assert.notEqual(f.ino, was?.ino, `${p} changed, so it is a new file`);
      continue;
    }
    // Objects exported in full (history objects have no SystemModstamp) are written anew.
    if (!merged.has(p.slice(0, p.lastIndexOf('/') + 1))) continue;
    assert.equal(f.ino, was?.ino, `${p} is the previous snapshot's file, not a copy`);
    assert.ok(f.nlink >= 2, `${p} has ${f.nlink} links`);
    linked++;
  }
  assert.ok(linked >= 5, `${linked} files linked`);
  // Only the new file was read again to verify the staged snapshot.
  assert.ok(
    inc.lines.some((l) => l.includes(`(${linked} unchanged, linked from the previous snapshot)`)),
    inc.lines.join('\n'),
  );
  await verifySnapshot(second);
});

test('a base file damaged since the last run is caught, and the next snapshot does not link it', async () => {
  const base = latest();
  const m = await loadManifest(base);
  // A file the org did not change, so an incremental run would link it.
  const file = m.objects.find((o) => o.name === 'Account')?.files[0]?.path;
  assert.ok(file);
  const good = readFileSync(path.join(base, file));
  const damaged = Buffer.from(good);
  damaged[damaged.length - 3] = (damaged[damaged.length - 3] as number) ^ 0x01;
  writeFileSync(path.join(base, file), damaged);

  const next = await backup(3);
  assert.equal(next.mode, 'full', next.lines.join('\n'));
  assert.ok(
    next.lines.some((l) => /^warning: The previous snapshot at .* cannot be trusted [\s\S]*sha256 does not match/.test(l)),
    next.lines.join('\n'),
  );
  const fresh = latest();
  assert.notEqual(statSync(path.join(fresh, file)).ino, statSync(path.join(base, file)).ino, 'the damaged file is not linked');
  assert.deepEqual(readFileSync(path.join(fresh, file)), good);
  await verifySnapshot(fresh);
});
