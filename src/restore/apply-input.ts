// Reading a plan folder for applying: plan.json checked against the contract (it crosses a file,
// and may come from another version of the tool or a person's editor), and each object's records
// CSV (`Id,action,reason`) streamed in the snapshot's row order, beside the snapshot's own rows.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RestoreError } from './apply-errors.ts';
import { MASK_RULES, RESTORE_MODES, type RecordAction, type RestorePlan, SKIP_REASONS } from './contracts.ts';
import { csvFileRecords, snapshotRows } from './rows.ts';

const ACTIONS = ['undelete', 'create', 'update', 'upsert', 'skip'] as const satisfies readonly RecordAction[];

const PlanObjectSchema = z.object({
  name: z.string().min(1),
  counts: z.record(z.enum(ACTIONS), z.number().int().nonnegative()),
  skipped: z.partialRecord(z.enum(SKIP_REASONS), z.number().int().nonnegative()),
  fields: z.array(z.string()),
  skippedFields: z.array(z.object({ name: z.string(), why: z.string() })),
  records: z.string().min(1),
  changes: z.string().optional(),
});

const RestorePlanSchema = z.object({
  formatVersion: z.literal(1),
  mode: z.enum(RESTORE_MODES),
  createdAt: z.string(),
  snapshot: z.object({ dir: z.string(), alias: z.string(), orgId: z.string(), finishedAt: z.string() }),
  target: z.object({ orgId: z.string(), instanceUrl: z.string(), sameOrg: z.boolean() }),
  selection: z.object({
    objects: z.array(z.string()).optional(),
    ids: z.array(z.string()).optional(),
    where: z.string().optional(),
    fields: z.array(z.string()).optional(),
    overwriteNewer: z.boolean().optional(),
    externalIdField: z.string().optional(),
    mapping: z.object({ usernameSuffix: z.string().optional(), fallbackUser: z.string().optional() }).optional(),
    mask: z.record(z.string(), z.enum(MASK_RULES)).optional(),
  }),
  order: z.array(z.string()),
  objects: z.array(PlanObjectSchema),
  references: z.string().optional(),
});

export const PLAN_FILE = 'plan.json';

export async function readPlan(planDir: string): Promise<RestorePlan> {
  let text: string;
  try {
    text = await readFile(join(planDir, PLAN_FILE), 'utf8');
  } catch (err) {
    throw new RestoreError(
      'plan_invalid',
      `${planDir} holds no readable ${PLAN_FILE}: ${(err as Error).message}`,
      'Pass the folder a dry run wrote (it holds plan.json).',
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RestoreError(
      'plan_invalid',
      `${join(planDir, PLAN_FILE)} is not JSON: ${(err as Error).message}`,
      'Run the dry run again to write a fresh plan.',
      err,
    );
  }
  const parsed = RestorePlanSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RestoreError(
      'plan_invalid',
      `${join(planDir, PLAN_FILE)} is not a restore plan this version reads (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
      'Run the dry run again with this version to write a fresh plan.',
    );
  }
  return parsed.data as RestorePlan;
}

export interface PlannedRecord {
  /** 0-based position in the plan's records CSV. */
  seq: number;
  id: string;
  action: RecordAction;
  reason: string;
}

/** The plan's records of one object, in order. */
export async function* planRecords(planDir: string, file: string): AsyncGenerator<PlannedRecord> {
  let seq = -1;
  let idCol = 0;
  let actionCol = 1;
  let reasonCol = 2;
  for await (const rec of csvFileRecords(join(planDir, file))) {
    if (seq === -1) {
      idCol = rec.indexOf('Id');
      actionCol = rec.indexOf('action');
      reasonCol = rec.indexOf('reason');
      if (idCol < 0 || actionCol < 0)
        throw new RestoreError('plan_invalid', `${file} has no Id and action columns`, 'Run the dry run again to write a fresh plan.');
      seq = 0;
      continue;
    }
    const action = rec[actionCol] as RecordAction;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new RestoreError('plan_invalid', `${file} line ${seq + 2}: unknown action "${action}"`, 'Run the dry run again to write a fresh plan.');
    }
    yield { seq: seq++, id: rec[idCol] ?? '', action, reason: reasonCol >= 0 ? (rec[reasonCol] ?? '') : '' };
  }
}

/**
 * The plan's records with their snapshot rows: both files are in the snapshot's row order and the
 * plan holds a subsequence of the snapshot (a selection), so one forward pass pairs them.
 */
export async function* planWithRows(
  planDir: string,
  file: string,
  snapshotDir: string,
  object: string,
  alias: string,
): AsyncGenerator<PlannedRecord & { row: Record<string, string> }> {
  const rows = snapshotRows(snapshotDir, object, alias);
  for await (const rec of planRecords(planDir, file)) {
    for (;;) {
      const next = await rows.next();
      if (next.done) {
        throw new RestoreError(
          'plan_mismatch',
          `the plan names ${object} ${rec.id}, which the snapshot does not hold in that place`,
          'Use the snapshot the plan was made from, or make the plan again.',
        );
      }
      if (next.value.Id === rec.id) {
        yield { ...rec, row: next.value };
        break;
      }
    }
  }
  await rows.return(undefined);
}
