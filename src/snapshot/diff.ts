// Compares two snapshots of one org: rows added, changed and deleted per object. Works bucket by
// bucket so memory stays bounded by a bucket; buckets whose files have the same sha256 are skipped
// without being read, which is most of them between consecutive runs.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareIds } from './buckets.ts';
import type { DiffOptions, ObjectDiff, SnapshotDiff } from './contracts.ts';
import { parseCsv } from './csv.ts';
import { type ManifestFile, type ManifestObject, readManifest, resolveSnapshotDir } from './manifest.ts';

export async function diffSnapshots(oldDir: string, newDir: string, opts: DiffOptions = {}): Promise<SnapshotDiff> {
  const oldAlias = resolveSnapshotDir(oldDir);
  const newAlias = resolveSnapshotDir(newDir);
  const [{ manifest: oldM }, { manifest: newM }] = await Promise.all([readManifest(oldAlias), readManifest(newAlias)]);
  const limit = opts.idLimit ?? 0;
  const oldObjs = new Map(oldM.objects.filter((o) => o.status === 'ok').map((o) => [o.name, o]));
  const newObjs = new Map(newM.objects.filter((o) => o.status === 'ok').map((o) => [o.name, o]));
  const failed = new Set([...oldM.objects, ...newM.objects].filter((o) => o.status !== 'ok').map((o) => o.name));
  const names = [...new Set([...oldObjs.keys(), ...newObjs.keys()])].filter((n) => !failed.has(n)).sort(compareIds);
  const objects: ObjectDiff[] = [];
  for (const name of names) {
    const o = oldObjs.get(name);
    const n = newObjs.get(name);
    const known = limit > 0 ? undefined : opts.known?.get(name);
    if (o && n && known && o.fields.join(',') === n.fields.join(',')) {
      objects.push({ name, presence: 'both', oldRows: o.rows, newRows: n.rows, ...known, fieldsChanged: false });
    } else if (o && n) {
      objects.push(await diffObject(oldAlias, o, newAlias, n, limit));
    } else if (n) {
      objects.push({
        name,
        presence: 'added',
        oldRows: 0,
        newRows: n.rows,
        added: n.rows,
        changed: 0,
        deleted: 0,
        fieldsChanged: false,
      });
    } else if (o) {
      objects.push({
        name,
        presence: 'removed',
        oldRows: o.rows,
        newRows: 0,
        added: 0,
        changed: 0,
        deleted: o.rows,
        fieldsChanged: false,
      });
    }
  }
  const sum = (f: (d: ObjectDiff) => number): number => objects.reduce((acc, d) => acc + f(d), 0);
  return {
    objects,
    objectsAdded: objects.filter((d) => d.presence === 'added').map((d) => d.name),
    objectsRemoved: objects.filter((d) => d.presence === 'removed').map((d) => d.name),
    objectsSkipped: [...failed].sort(compareIds),
    totals: {
      added: sum((d) => d.added),
      changed: sum((d) => d.changed),
      deleted: sum((d) => d.deleted),
      oldRows: sum((d) => d.oldRows),
      newRows: sum((d) => d.newRows),
    },
  };
}

function groupFiles(files: ManifestFile[], hexChars: number): Map<string, ManifestFile[]> {
  const groups = new Map<string, ManifestFile[]>();
  for (const f of files) {
    const bucket = f.path.slice(f.path.lastIndexOf('/') + 1, -'.csv'.length);
    const key = hexChars === 0 ? 'all' : bucket.slice(0, hexChars);
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  return groups;
}

async function diffObject(oldDir: string, o: ManifestObject, newDir: string, n: ManifestObject, limit: number): Promise<ObjectDiff> {
  const fieldsChanged = o.fields.join(',') !== n.fields.join(',');
  // Compare on the fields both have, so a new column alone does not mark every row changed.
  const common = o.fields.filter((f) => n.fields.includes(f));
  const oldIdx = common.map((f) => o.fields.indexOf(f));
  const newIdx = common.map((f) => n.fields.indexOf(f));
  // Group both sides by the coarser scheme: an old bucket `3` holds exactly the rows of new
  // buckets `30`…`3f`, so groups line up whatever the two schemes are.
  const k = Math.min(o.bucketScheme.hexChars, n.bucketScheme.hexChars);
  const oldGroups = groupFiles(o.files, k);
  const newGroups = groupFiles(n.files, k);
  const diff: ObjectDiff = {
    name: o.name,
    presence: 'both',
    oldRows: o.rows,
    newRows: n.rows,
    added: 0,
    changed: 0,
    deleted: 0,
    fieldsChanged,
  };
  if (limit > 0) {
    diff.addedIds = [];
    diff.changedIds = [];
    diff.deletedIds = [];
  }
  const keys = [...new Set([...oldGroups.keys(), ...newGroups.keys()])].sort(compareIds);
  for (const key of keys) {
    const of = oldGroups.get(key) ?? [];
    const nf = newGroups.get(key) ?? [];
    if (!fieldsChanged && sameFiles(of, nf)) continue;
    const before = await loadRows(oldDir, of, oldIdx);
    const after = await loadRows(newDir, nf, newIdx);
    for (const [id, row] of after) {
      const prev = before.get(id);
      if (prev === undefined) {
        diff.added++;
        if (diff.addedIds && diff.addedIds.length < limit) diff.addedIds.push(id);
      } else if (prev !== row) {
        diff.changed++;
        if (diff.changedIds && diff.changedIds.length < limit) diff.changedIds.push(id);
      }
    }
    for (const id of before.keys()) {
      if (!after.has(id)) {
        diff.deleted++;
        if (diff.deletedIds && diff.deletedIds.length < limit) diff.deletedIds.push(id);
      }
    }
  }
  diff.addedIds?.sort(compareIds);
  diff.changedIds?.sort(compareIds);
  diff.deletedIds?.sort(compareIds);
  return diff;
}

function sameFiles(a: ManifestFile[], b: ManifestFile[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((f, i) => {
    const g = b[i];
    return g !== undefined && g.path === f.path && g.sha256 === f.sha256;
  });
}

/** Id → the row's common-field values as one comparable string. */
async function loadRows(dir: string, files: ManifestFile[], idx: number[]): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  for (const f of files) {
    const records = parseCsv(await readFile(join(dir, f.path), 'utf8'));
    for (let r = 1; r < records.length; r++) {
      const rec = records[r] as string[];
      rows.set(rec[0] ?? '', JSON.stringify(idx.map((i) => rec[i] ?? '')));
    }
  }
  return rows;
}
