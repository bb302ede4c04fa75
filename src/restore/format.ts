// A restore plan for a person: what the CLI prints and the action puts in the job summary. Plain
// text that also reads as Markdown (list items), so one rendering serves both.
import type { PlanObject, RecordAction, RestorePlan, SkipReason } from './contracts.ts';

/** Optional plan.json fields the planner adds (src/restore/plan.ts PlanExtras / PlanObjectExtras). */
type Formattable = RestorePlan & {
  notes?: string[];
  referenceSummary?: { byObject: Record<string, Partial<Record<string, number>>>; fallbackUser: { id: string; username: string } };
  objects: (PlanObject & { deletedInSnapshot?: number; changedFields?: Record<string, number> })[];
};

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  exists: 'already in the org',
  unchanged: 'unchanged',
  changed_after_snapshot: 'changed in the org after the snapshot (kept; allow overwriting newer records to replace them)',
  not_in_org: 'not in the org (restore them with mode missing)',
  deleted_in_org: 'in the Recycle Bin (restore them with mode missing first)',
  not_createable: 'the object cannot be created through the API',
  not_updateable: 'the object cannot be updated through the API',
  no_external_id: 'no value in the external id field',
  restored_earlier: 're-created by an earlier run over the same results (under a new Id)',
};

const VERB: Record<RecordAction, string> = { undelete: 'undelete', create: 'create', update: 'update', upsert: 'upsert', skip: 'skip' };
const ORDER: readonly RecordAction[] = ['undelete', 'create', 'update', 'upsert', 'skip'];

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatPlan(plan: Formattable): string {
  const lines: string[] = [];
  const target = plan.target.sameOrg ? `the same org (${plan.target.orgId})` : `org ${plan.target.orgId} (the snapshot is of ${plan.snapshot.orgId})`;
  lines.push(`Restore plan, mode ${plan.mode}: snapshot ${plan.snapshot.alias} of ${plan.snapshot.finishedAt} into ${target}.`);
  const total = Object.fromEntries(ORDER.map((a) => [a, plan.objects.reduce((n, o) => n + o.counts[a], 0)])) as Record<RecordAction, number>;
  lines.push(`Records: ${ORDER.map((a) => `${total[a]} ${VERB[a]}`).join(', ')}.`);
  if (plan.selection.where) lines.push(`Records where: ${plan.selection.where}`);
  if (plan.order.length > 0) lines.push(`Order (parents first): ${plan.order.join(', ')}.`);
  for (const note of plan.notes ?? []) lines.push(`Note: ${note}.`);
  const mask = Object.entries(plan.selection.mask ?? {});
  if (mask.length > 0) lines.push(`Masked on the way in: ${mask.map(([f, r]) => `${f} (${r})`).join(', ')}.`);
  if (plan.referenceSummary) {
    const how: Record<string, string> = {
      username: 'by username',
      developer_name: 'by developer name',
      external_id: 'by external id',
      fallback_user: `to the fallback user ${plan.referenceSummary.fallbackUser.username}`,
      unmatched: 'with no match (left empty)',
      unknown_object: 'of objects the snapshot does not hold (left empty)',
    };
    const parts = Object.entries(plan.referenceSummary.byObject).map(
      ([object, counts]) =>
        `${object}: ${Object.entries(counts)
          .map(([h, n]) => `${n} ${how[h] ?? h}`)
          .join(', ')}`,
    );
    lines.push(`References into the target org${parts.length > 0 ? `: ${parts.join('; ')}` : ': none'} (${plan.references ?? 'references.csv'}).`);
  }
  for (const o of plan.objects) {
    lines.push('');
    const acts = ORDER.filter((a) => a !== 'skip' && o.counts[a] > 0).map((a) => `${o.counts[a]} ${VERB[a]}`);
    const head = acts.length > 0 ? acts.join(', ') : 'nothing to write';
    lines.push(`${o.name}: ${head}${o.counts.skip > 0 ? `; ${o.counts.skip} skipped` : ''}.`);
    for (const [reason, n] of Object.entries(o.skipped) as [SkipReason, number][]) {
      if (n > 0) lines.push(`- skipped ${plural(n, 'record')}: ${SKIP_REASON_TEXT[reason]}`);
    }
    if (o.deletedInSnapshot) lines.push(`- left out ${plural(o.deletedInSnapshot, 'record')} that were in the Recycle Bin when the snapshot was taken`);
    const changed = Object.entries(o.changedFields ?? {});
    if (changed.length > 0) lines.push(`- fields that would change: ${changed.map(([f, n]) => `${f} (${n})`).join(', ')}`);
    if (o.counts.create + o.counts.update + o.counts.upsert > 0) lines.push(`- writes: ${o.fields.join(', ') || 'no field'}`);
    if (o.skippedFields.length > 0) {
      // Fields sharing a reason are listed together so the summary stays short.
      const byWhy = new Map<string, string[]>();
      for (const f of o.skippedFields) byWhy.set(f.why, [...(byWhy.get(f.why) ?? []), f.name]);
      for (const [why, names] of byWhy) lines.push(`- not written (${why}): ${names.join(', ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
