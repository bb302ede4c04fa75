// defect 4: short writes were ignored. A write(2) that takes part of a buffer (a disk filling up)
// left truncated CSV files whose sha256 the writer had already counted; a full disk then showed up
// as a file "changed or damaged". Every write is now whole or an error, and "no room" is disk_full.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { asDiskFull, classifyDiskFull, DiskFullError, findDiskErrno, type WriteHandle, writeAll } from '../../../src/runtime/io.ts';
import { createSnapshotWriter, readObjectRows, verifySnapshot } from '../../../src/snapshot/index.ts';
import { FIELDS, row, run, schemaOf, tempDir } from './helpers.ts';

/** A handle that takes at most `max` bytes per write, recording what it got. */
function stingyHandle(max: number): WriteHandle & { got: number[]; calls: number } {
  const h = {
    got: [] as number[],
    calls: 0,
    async write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }> {
      h.calls++;
      const n = Math.min(max, length);
      for (let i = 0; i < n; i++) h.got.push(buffer[offset + i] as number);
      return { bytesWritten: n };
    },
  };
  return h;
}

function enospc(path?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write');
  e.code = 'ENOSPC';
  e.syscall = 'write';
  if (path) e.path = path;
  return e;
}

// defect 4
test('writeAll loops over short writes until every byte is written, in order', async () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const h = stingyHandle(7);
  await writeAll(h, data);
  assert.deepEqual(Buffer.from(h.got), data);
  assert.equal(h.calls, Math.ceil(1000 / 7));
});

// defect 4
test('writeAll at an explicit position advances the position with each partial write', async () => {
  const positions: Array<number | null | undefined> = [];
  const h: WriteHandle = {
    async write(_b, _o, length, position) {
      positions.push(position);
      return { bytesWritten: Math.min(4, length) };
    },
  };
  await writeAll(h, Buffer.alloc(10), 100);
  assert.deepEqual(positions, [100, 104, 108]);
});

// defect 4
test('a write that takes nothing is ENOSPC (it would never progress), and a full disk is a typed error', async () => {
  const h: WriteHandle = { write: async () => ({ bytesWritten: 0 }) };
  const err = await writeAll(h, Buffer.from('abc'), null, '/staging/x.csv').then(
    () => undefined,
    (e: unknown) => e as NodeJS.ErrnoException,
  );
  assert.ok(err, 'writeAll must fail when nothing is written');
  assert.equal(err.code, 'ENOSPC');
  assert.equal(err.path, '/staging/x.csv');
  const full = asDiskFull(err, 'staging', '/staging');
  assert.ok(full instanceof DiskFullError);
  assert.equal(full.state, 'disk_full');
  assert.equal(full.place, 'staging');
  assert.match(full.message, /disk is full/i);
  assert.match(full.message, /staging folder \/staging/);
  assert.match(full.remedy, /TMPDIR/);
});

// defect 4
test('a handle error names the file; ENOSPC, EDQUOT and EFBIG are "no room", other errors are not', async () => {
  const failing: WriteHandle = {
    write: async () => {
      throw enospc();
    },
  };
  const err = (await writeAll(failing, Buffer.from('x'), null, '/out/a.csv').catch((e: unknown) => e)) as NodeJS.ErrnoException;
  assert.equal(err.path, '/out/a.csv');
  for (const code of ['ENOSPC', 'EDQUOT', 'EFBIG']) {
    const e = Object.assign(new Error(code), { code });
    assert.ok(asDiskFull(e, 'output', '/out') instanceof DiskFullError, code);
  }
  assert.equal(asDiskFull(Object.assign(new Error('EACCES'), { code: 'EACCES' }), 'output', '/out'), undefined);
  // Found through a cause chain (a storage error wrapping the copy's errno).
  const wrapped = new Error('Could not publish', { cause: Object.assign(enospc(), { path: '/tmp/s/a.csv', dest: '/out/org/x/a.csv' }) });
  assert.equal(findDiskErrno(wrapped)?.code, 'ENOSPC');
  const placed = classifyDiskFull(wrapped, { staging: '/tmp/s', output: '/out' });
  assert.equal(placed?.place, 'output', 'a copy runs out of room at its destination');
  assert.equal(placed?.folder, '/out');
  assert.match(placed?.remedy ?? '', /--out/);
  const staged = classifyDiskFull(enospc('/tmp/s/staging/x'), { staging: '/tmp/s', output: '/out' });
  assert.equal(staged?.place, 'staging');
  assert.equal(classifyDiskFull(new Error('other'), { staging: '/tmp/s' }), undefined);
});

/** Patches FileHandle.prototype.write for the duration of one test. */
async function patchFileHandleWrite(
  t: { after: (fn: () => void) => void },
  dir: string,
  wrap: (orig: FileHandle['write']) => (this: FileHandle, ...args: unknown[]) => Promise<unknown>,
): Promise<void> {
  const probe = await open(join(dir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: FileHandle['write'] };
  await probe.close();
  const orig = proto.write;
  proto.write = wrap(orig) as FileHandle['write'];
  t.after(() => {
    proto.write = orig;
  });
}

// defect 4
test('the snapshot writer keeps every byte when each write takes only half of what it is given', async (t) => {
  const staging = await tempDir(t);
  await patchFileHandleWrite(
    t,
    staging,
    (orig) =>
      function (this: FileHandle, ...args: unknown[]) {
        const [buffer, offset, length, position] = args as [unknown, number | undefined, number | undefined, number | null | undefined];
        if (!(buffer instanceof Uint8Array)) return (orig as (...a: unknown[]) => Promise<unknown>).apply(this, args);
        const from = offset ?? 0;
        const len = length ?? buffer.byteLength - from;
        return (orig as (...a: unknown[]) => Promise<unknown>).call(this, buffer, from, Math.max(1, Math.floor(len / 2)), position ?? null);
      },
  );
  const rows = Array.from({ length: 3000 }, (_, i) => row(i));
  const writer = await createSnapshotWriter(staging, run('full'));
  const sink = writer.object(schemaOf('Account', FIELDS));
  for (let i = 0; i < rows.length; i += 500) await sink.writeRows(rows.slice(i, i + 500));
  await sink.close({ api: 'bulk', countCheck: rows.length, watermark: null });
  await writer.finish({ toolVersion: 'test' });
  const report = await verifySnapshot(staging);
  assert.equal(report.rows, rows.length);
  let n = 0;
  for await (const r of readObjectRows(staging, 'Account')) {
    assert.equal(r.Name, `Name ${Number.parseInt((r.Id as string).slice(3, 15), 36)}`);
    n++;
  }
  assert.equal(n, rows.length);
});

// defect 4
test('a full disk while writing fails the sink and finish() with one DiskFullError; no manifest is written', async (t) => {
  const staging = await tempDir(t);
  let writes = 0;
  await patchFileHandleWrite(
    t,
    staging,
    (orig) =>
      function (this: FileHandle, ...args: unknown[]) {
        // The first write goes through in part, the next finds the disk full: what a filling disk does.
        writes++;
        if (writes === 1) {
          const [buffer, offset, length] = args as [Uint8Array, number | undefined, number | undefined];
          const from = offset ?? 0;
          return (orig as (...a: unknown[]) => Promise<unknown>).call(
            this,
            buffer,
            from,
            Math.max(1, Math.floor((length ?? buffer.byteLength - from) / 3)),
            null,
          );
        }
        return Promise.reject(enospc());
      },
  );
  const writer = await createSnapshotWriter(staging, run('full'));
  const sink = writer.object(schemaOf('Account', FIELDS));
  await sink.writeRows(Array.from({ length: 2000 }, (_, i) => row(i)));
  const closing = await sink.close({ api: 'bulk', countCheck: 2000, watermark: null }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(closing instanceof DiskFullError, `close() should fail with DiskFullError, got ${String(closing)}`);
  assert.equal(closing.place, 'staging');
  assert.equal(closing.folder, staging);
  assert.ok(writes >= 2, 'the short write was retried');
  // Every later object fails at once with the same error.
  assert.throws(
    () => writer.object(schemaOf('Contact', FIELDS)),
    (e: unknown) => e === closing,
  );
  await assert.rejects(writer.finish({ toolVersion: 'test' }), (e: unknown) => e === closing);
  assert.equal(existsSync(join(staging, 'prod', 'manifest.json')), false, 'no manifest over files that did not fit');
});
