// Reads what the status branch says now, without checking anything out: the action needs the org's
// last known app fingerprint and authorization time before it logs in (app_changed and
// policy_expired cannot be told apart from a plain revoked token on the wire), and `reauth` and
// `rotate-app` need every org's last known user and app.
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { openGitSession } from '../git/git.ts';
import { resolveContext, type StorageContext } from '../storage/config.ts';
import { CAMPAIGNS_FILE, DEFAULT_STATUS_BRANCH, statusFile } from './layout.ts';
import { type Campaign, campaignsSchema, type OrgStatus, orgStatusSchema } from './schema.ts';

export interface StatusReadOptions {
  branch?: string;
  remoteUrl?: string;
  context?: StorageContext;
}

export interface PublishedStatus {
  /** The status of each alias asked for that the branch has (and that matches the schema). */
  orgs: Map<string, OrgStatus>;
  campaigns: Campaign[];
}

/**
 * The published status of `aliases`. Missing branch, file or access gives an empty answer and a
 * warning: a run must never fail because its history cannot be read.
 */
export async function readPublishedStatus(aliases: readonly string[], options: StatusReadOptions = {}): Promise<PublishedStatus> {
  const ctx = resolveContext(options.context);
  const branch = options.branch ?? DEFAULT_STATUS_BRANCH;
  const remoteUrl = options.remoteUrl ?? (ctx.repository ? `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}.git` : undefined);
  const empty: PublishedStatus = { orgs: new Map(), campaigns: [] };
  if (!remoteUrl) return empty;
  const git = await openGitSession({ remoteUrl, token: ctx.token, tempDir: ctx.tempDir, mask: ctx.mask });
  const dir = await mkdtemp(path.join(ctx.tempDir, 'sfbackup-status-read-'));
  try {
    await git.ok(['init', '-q'], dir);
    const fetched = await git.run(['fetch', '-q', '--depth=1', '--no-tags', remoteUrl, `+refs/heads/${branch}:refs/remotes/status/tip`], dir);
    if (fetched.code !== 0) {
      if (!/couldn't find remote ref/i.test(fetched.stderr)) {
        ctx.log.warning(
          `Could not read the status branch ${branch} (${fetched.stderr.trim().split('\n').at(-1) ?? 'git fetch failed'}); going on without the last status.`,
        );
      }
      return empty;
    }
    const show = async (rel: string): Promise<unknown> => {
      const r = await git.run(['show', `refs/remotes/status/tip:${rel}`], dir);
      if (r.code !== 0) return undefined;
      try {
        return JSON.parse(r.stdout) as unknown;
      } catch {
        return undefined;
      }
    };
    const orgs = new Map<string, OrgStatus>();
    for (const alias of aliases) {
      const parsed = orgStatusSchema.safeParse(await show(statusFile(alias)));
      if (parsed.success) orgs.set(alias, parsed.data);
    }
    const campaigns = campaignsSchema.safeParse(await show(CAMPAIGNS_FILE));
    return { orgs, campaigns: campaigns.success ? campaigns.data.campaigns : [] };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    await git.close();
  }
}
