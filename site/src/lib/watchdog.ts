// The backup-workflow watchdog on the overview: a banner when the backup workflow is not active, when
// the watchdog could not check or enable it, or when it enabled it again lately. The workflow being
// off is what makes every org "late" and then "not running" at once; the banner says why and what
// to do, so nobody re-authorizes orgs whose only problem is a disabled schedule.
import type { WatchdogFile, WatchdogWorkflow } from '../../../src/status/index.ts';

export interface WatchdogBanner {
  workflow: string;
  /** `bad`: backups are not scheduled or the watchdog could not act; `info`: it fixed it. */
  tone: 'bad' | 'info';
  title: string;
  /** What happened, in words. */
  text: string;
  /** The moment the banner is about (the re-enable, or the check that found the state). */
  at: string;
  /** When the watchdog last looked. */
  checkedAt: string;
  /** What to do; code spans in backticks. */
  steps: string[];
}

/** A re-enable stays on the overview this long: long enough for a team that looks once a week. */
export const RECENT_REENABLE_MS = 14 * 24 * 3600 * 1000;

const WHY =
  'GitHub disables scheduled workflows after 60 days without repository activity; the watchdog in the status-site workflow checks the backup workflow on every run and enables it again.';

function bannerOf(w: WatchdogWorkflow, now: number, opts: { repo: string | null }): WatchdogBanner | undefined {
  const repo = opts.repo ? ` --repo ${opts.repo}` : '';
  const base = { workflow: w.workflow, checkedAt: w.checkedAt, at: w.checkedAt };
  if (w.action === 'cannot-check') {
    return {
      ...base,
      tone: 'bad',
      title: `The watchdog could not check ${w.workflow}`,
      text: w.message,
      steps: [...(w.remedy ? [w.remedy] : []), `Check the workflow by hand: \`gh workflow list --all${repo}\`.`],
    };
  }
  if (w.action === 'cannot-enable') {
    return {
      ...base,
      tone: 'bad',
      title: `Backups are not scheduled: GitHub disabled ${w.workflow}`,
      text: w.message,
      steps: [...(w.remedy ? [w.remedy] : []), `Enable it now: \`gh workflow enable ${w.workflow}${repo}\`. ${WHY}`],
    };
  }
  if (w.state === 'disabled_manually' || w.state === 'disabled_fork' || w.state === 'deleted') {
    const title =
      w.state === 'disabled_manually'
        ? `Backups are not scheduled: ${w.workflow} was disabled by a person`
        : w.state === 'disabled_fork'
          ? `Backups are not scheduled: ${w.workflow} is disabled in this fork`
          : `Backups are not scheduled: ${w.workflow} was deleted`;
    return {
      ...base,
      tone: 'bad',
      title,
      text: `${w.message} The watchdog only re-enables a workflow GitHub disabled for inactivity; a manually disabled workflow must be enabled under Actions.`,
      steps: w.remedy ? [w.remedy] : [`Enable it under Actions → ${w.workflow} → Enable workflow (\`gh workflow enable ${w.workflow}${repo}\`).`],
    };
  }
  const last = w.reEnables.at(-1);
  if (last && now - Date.parse(last.at) <= RECENT_REENABLE_MS) {
    return {
      ...base,
      at: last.at,
      tone: 'info',
      title: `${w.workflow} was disabled by GitHub and enabled again`,
      text: `GitHub had disabled ${w.workflow} after 60 days without repository activity; the watchdog enabled it again${last.dispatched ? ' and started one backup run at once' : ''}. Orgs may show as late until their next backup.`,
      steps: [
        `Nothing to do if the next backups succeed. ${WHY}`,
        `Runs missed while it was disabled are not made up: run one for a late org with \`gh workflow run ${w.workflow} -f org=ALIAS${repo}\`.`,
      ],
    };
  }
  return undefined;
}

/** The banners for the overview, the most urgent first; none when every watched workflow is active and quiet. */
export function watchdogBanners(file: WatchdogFile | null, now: number, opts: { repo: string | null }): WatchdogBanner[] {
  if (!file) return [];
  return file.workflows
    .map((w) => bannerOf(w, now, opts))
    .filter((b): b is WatchdogBanner => b !== undefined)
    .sort((a, b) => (a.tone === b.tone ? Date.parse(b.at) - Date.parse(a.at) : a.tone === 'bad' ? -1 : 1));
}
