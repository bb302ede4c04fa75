// A mass delete: an object lost a large share of its live rows since the last snapshot. Rows in the
// Recycle Bin stay in the snapshot marked IsDeleted, so "live" is rows minus deleted rows; comparing
// live counts catches both a delete (rows go to the bin) and a purge (rows vanish).
import type { Manifest } from '../snapshot/index.ts';

export interface MassDeleteRule {
  /** Share of the object's live rows, in (0, 1]. */
  share: number;
  /** The smallest drop that counts, so small objects do not raise alarms over a handful of rows. */
  minRows: number;
}

export interface MassDelete {
  object: string;
  before: number;
  after: number;
  dropped: number;
}

export function findMassDeletes(previous: Manifest, current: Manifest, rule: MassDeleteRule): MassDelete[] {
  const out: MassDelete[] = [];
  for (const old of previous.objects) {
    if (old.status !== 'ok') continue;
    const now = current.objects.find((o) => o.name === old.name);
    // An object that left the snapshot was excluded or lost access: that is not a delete in the org.
    if (now?.status !== 'ok') continue;
    const before = old.rows - old.deletedRows;
    const after = now.rows - now.deletedRows;
    const dropped = before - after;
    if (dropped > 0 && dropped >= rule.minRows && dropped > rule.share * before) out.push({ object: old.name, before, after, dropped });
  }
  return out;
}

/** `Account:-1200,Contact:-300`: the action output. */
export function formatMassDeletes(list: MassDelete[]): string {
  return list.map((m) => `${m.object}:-${m.dropped}`).join(',');
}
