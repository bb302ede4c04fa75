// How a command's end reads to a script: one exit code per state, and with --json one failure
// object on stdout. The codes are a contract (README, `sfbackup --help`).
import { failureState, ProductError, type ProductState } from '../runtime/errors.ts';

/** Exit codes, so scripts can tell "fix the settings" from "log in again" from "try later". */
export const EXIT = {
  ok: 0,
  failed: 1,
  misconfigured: 2,
  reauth_required: 3,
  app_pending: 4,
  transient: 5,
  incomplete: 6,
  corrupt: 7,
  rotation_write_failed: 8,
  // Local trouble, not Salesforce's: no room (or no write access) in the staging folder or the output.
  disk_full: 9,
  // Another run is backing up the same org into the same place (see src/runtime/lock.ts).
  locked: 10,
  // The run would drop objects, or rows past the mass-delete rule, from a target that keeps no other
  // copy of them: held until the user confirms with --allow-shrink (allow-shrink in the action).
  held: 11,
  // Ctrl-C during `sfbackup reauth` (128 + SIGINT); reauth answers it itself, this is the fallback.
  aborted: 130,
} as const satisfies Record<ProductState | 'ok', number>;

export const EXIT_HELP = `Exit codes: 0 ok, 1 unexpected failure, 2 usage or configuration error, 3 re-authorization required,
4 Connected App not active yet (retry within 10 minutes), 5 temporary failure (retry later),
6 backup incomplete (objects failed or the API budget ran out; nothing was replaced),
7 the snapshot failed verification, 8 the org rotated its refresh token and the new one could not be
stored, 9 the disk is full (or not writable) where the snapshot is staged or published,
10 another run is backing up the same org into the same place, 11 held: the run would drop objects or
mass-delete rows from the only copy (check, then re-run with --allow-shrink).`;

/** The exit code of a failure, and its state as a script reads it. */
export function classify(e: unknown): { exitCode: number; state: ProductState; reason: string; remedy: string } {
  const state = failureState(e);
  if (e instanceof ProductError && state !== 'failed') return { exitCode: EXIT[state], state, reason: e.reason || 'unexpected', remedy: e.remedy };
  return {
    exitCode: EXIT.failed,
    state: 'failed',
    reason: 'unexpected',
    remedy: (e instanceof ProductError && e.remedy) || 'run the command again; if it fails the same way, report it with this message',
  };
}

/** One JSON object for a failed command: what scripts using --json read instead of stderr. */
export function failureJson(e: unknown, scrub: (text: string) => string, exitCode?: number): Record<string, unknown> {
  const c = classify(e);
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, state: c.state, reason: c.reason, message: scrub(message), remedy: scrub(c.remedy), exitCode: exitCode ?? c.exitCode };
}
