// `sfbackup restore SNAPSHOT_DIR --mode missing|overwrite|upsert [--objects A,B] [--ids ID,…]
// [--fields …] [--apply]` (a contract other tools rely on): without --apply a dry run that compares
// the snapshot with the live org and writes the plan; with --apply the plan is carried out. The
// target org's credentials as for `backup`: the login flags (or SF_* variables), or an org of the
// config with --config FILE --org ALIAS.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { OrgSource } from '../../app/backup-org.ts';
import { type RestoreReport, runRestore } from '../../app/restore.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/schema.ts';
import { aliasSetting, flag } from '../../config/settings.ts';
import { RESTORE_MODES, type RestoreSelection } from '../../restore/contracts.ts';
import { formatPlan } from '../../restore/format.ts';
import { selectionFrom } from '../../restore/selection.ts';
import { jobContext } from '../../runtime/job-context.ts';
import { DEFAULT_BACKUP_BRANCH } from '../../storage/index.ts';
import { snapshotStamp } from '../../storage/local.ts';
import { defineCommand, UsageError, validateFlags } from '../command.ts';
import { EXIT } from '../exit.ts';
import { GITHUB_FLAGS } from './github-flags.ts';
import { LOGIN_FLAGS, LOGIN_KEYS, SECRETS_NOTE } from './login-flags.ts';

const FLAGS = {
  mode: {
    kind: 'string',
    value: 'MODE',
    help: 'missing (put back deleted records), overwrite (set fields back on\nexisting records) or upsert (by --external-id)',
  },
  objects: { kind: 'string', value: 'A,B', help: 'objects to restore (default: every object of the snapshot)' },
  ids: { kind: 'string', value: 'ID,…', help: 'record Ids to restore (default: every record of the objects)' },
  where: {
    kind: 'string',
    value: 'CONDITION',
    help: "which records: a SOQL WHERE condition over the snapshot's fields,\ne.g. \"Industry = 'Banking' AND CreatedDate >= 2026-01-01T00:00:00Z\"",
  },
  fields: { kind: 'string', value: 'O.F,…', help: 'overwrite/upsert: the fields to write (default: every updateable one)' },
  'external-id': { kind: 'string', value: 'FIELD', help: 'upsert: the external id field (Object.Field, or a field every object has)' },
  'overwrite-newer': { kind: 'boolean', help: 'overwrite: also records the org changed after the snapshot' },
  mask: {
    kind: 'string',
    value: 'O.F=RULE,…',
    help: 'mask fields on the way in (seeding a sandbox): blank, fake or hash,\ne.g. Contact.Email=fake,Contact.Phone=blank',
  },
  'mask-key': {
    kind: 'string',
    value: 'KEY',
    env: 'SFBACKUP_MASK_KEY',
    help: 'the key of fake and hash masking (default: derived from the org Ids)',
    secret: true,
  },
  'username-suffix': {
    kind: 'string',
    value: '.NAME',
    help: "into another org: appended to the snapshot's usernames to find the\nsame users there (a sandbox's .name); default: same, ±1 .suffix",
  },
  'fallback-user': {
    kind: 'string',
    value: 'USERNAME',
    help: 'into another org: who records of unmatched or inactive users get\n(default: the user restoring)',
  },
  apply: { kind: 'boolean', help: 'carry the plan out (without it: a dry run that writes nothing to the org)' },
  'allow-production': { kind: 'boolean', help: 'allow --apply to write to a production org' },
  report: { kind: 'string', value: 'DIR', help: 'where the plan and the results go (default ./salesforce-restore-<alias>-<UTC time>)' },
  ...LOGIN_FLAGS,
  alias: { kind: 'string', value: 'NAME', help: "without a config: the snapshot org's folder name when SNAPSHOT_DIR holds several" },
  config: { kind: 'string', value: 'FILE', help: `the org config (default ${DEFAULT_CONFIG_FILE} when --org is given)` },
  org: { kind: 'string', value: 'ALIAS', help: 'the org of the config to restore into (its secrets from the variables it names)' },
  ...GITHUB_FLAGS,
  json: { kind: 'boolean', help: 'print the plan (and the result) as JSON on stdout' },
} as const;

const settingsSchema = z.object({
  mode: z.enum(RESTORE_MODES, { error: 'must be missing, overwrite or upsert — e.g. --mode missing' }),
  alias: aliasSetting.optional(),
  apply: flag('apply').default(false),
  allowProduction: flag('allow-production').default(false),
  overwriteNewer: flag('overwrite-newer').default(false),
});

export const restoreCommand = defineCommand({
  name: 'restore',
  synopsis: 'restore SNAPSHOT_DIR --mode M',
  summary:
    'Compare a snapshot with the live org and write a plan (a dry run: what would be\nundeleted, created, updated or skipped, and why); with --apply, carry it out.',
  usage: [
    'sfbackup restore SNAPSHOT_DIR --mode missing|overwrite|upsert [--objects A,B] [--ids ID,…] [--fields …] [--apply]',
    'sfbackup restore SNAPSHOT_DIR --mode missing --config FILE --org ALIAS [--apply]',
    'sfbackup restore SNAPSHOT_DIR --mode missing --login-url https://test.salesforce.com --mask Contact.Email=fake [--apply]',
  ],
  notes: [
    SECRETS_NOTE,
    'The target org logs in as for `backup`. A production org is written to only with --allow-production.\nThe plan and the results (old Id, new Id, outcome per record) go to --report DIR; a second --apply\nwith the same --report reuses the Id mapping and creates no duplicates. docs/restore.md has the details.',
  ],
  positionals: { names: ['SNAPSHOT_DIR'], missing: 'restore needs the snapshot folder: sfbackup restore SNAPSHOT_DIR --mode missing' },
  flags: FLAGS,
  async run({ flags, args, env, io }) {
    if (!flags.mode) throw new UsageError('restore needs --mode missing, overwrite or upsert', 'restore');
    const settings = validateFlags(settingsSchema, FLAGS, flags, {
      mode: 'mode',
      alias: 'alias',
      apply: 'apply',
      allowProduction: 'allow-production',
      overwriteNewer: 'overwrite-newer',
    });
    if (settings.mode === 'upsert' && !flags['external-id']) throw new UsageError('--mode upsert needs --external-id FIELD', 'restore');
    let selection: RestoreSelection;
    try {
      selection = selectionFrom({
        objects: flags.objects,
        ids: flags.ids,
        where: flags.where,
        fields: flags.fields,
        overwriteNewer: settings.overwriteNewer,
        externalIdField: flags['external-id'],
        mask: flags.mask,
        usernameSuffix: flags['username-suffix'],
        fallbackUser: flags['fallback-user'],
      });
    } catch (err) {
      throw new UsageError([(err as Error).message, (err as { remedy?: string }).remedy].filter(Boolean).join(' '), 'restore');
    }
    const job = jobContext({ token: flags['github-token'], repository: flags.repo, apiUrl: flags['github-api-url'] }, env);
    const fromConfig = Boolean(flags.config || flags.org);
    let target: OrgSource;
    if (fromConfig) {
      const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
      const secrets: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) if (v && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) secrets[k] = v;
      target = {
        kind: 'config',
        file: path.resolve(configFile),
        displayName: configFile,
        alias: flags.org,
        secrets,
        secretsSource: 'environment',
        apiVersion: flags['api-version'] ?? '62.0',
      };
    } else {
      const credentials: Record<string, string | undefined> = {};
      const names: Record<string, string> = {};
      for (const [key, name] of Object.entries(LOGIN_KEYS)) {
        credentials[key] = flags[name];
        names[key] = `--${name} (or ${LOGIN_FLAGS[name].env})`;
      }
      target = { kind: 'inline', alias: settings.alias ?? 'org', credentials, names };
    }
    const reportDir = path.resolve(flags.report ?? `salesforce-restore-${flags.org ?? settings.alias ?? 'org'}-${snapshotStamp(new Date())}`);
    const report = await runRestore(
      {
        target,
        snapshot: { kind: 'folder', dir: args[0] as string, alias: settings.alias },
        storage: { kind: 'local', branch: DEFAULT_BACKUP_BRANCH },
        mode: settings.mode,
        selection,
        maskKey: flags['mask-key'],
        apply: settings.apply,
        allowProduction: settings.allowProduction,
        reportDir,
        baseDir: process.cwd(),
        tempDir: tmpdir(),
        lifecycle: {
          githubToken: job.token,
          secretsToken: flags.repo && job.token ? job.token : undefined,
          repository: flags.repo,
          apiUrl: job.apiUrl,
          runUrl: null,
          statusBranch: 'salesforce-backup-status',
          publishStatus: false,
          redactStatus: false,
          openIssues: false,
          appPendingWindow: 0,
          secretWriteSetting: '--repo OWNER/NAME with a GH_TOKEN that can write its secrets',
          loginSetting: '--login-url (or SF_LOGIN_URL)',
        },
        githubToken: job.token,
      },
      {
        info: (m) => io.err(m),
        warning: (m) => io.err(`Warning: ${m}`),
        mask: (s) => io.secret(s),
      },
    );
    print(report, io, flags.json);
    const failed = report.result?.objects.reduce((n, o) => n + o.counts.failed, 0) ?? 0;
    return failed > 0 ? EXIT.incomplete : EXIT.ok;
  },
});

function print(report: RestoreReport, io: { out(line?: string): void }, json: boolean): void {
  if (json) {
    io.out(
      JSON.stringify({
        snapshot: report.snapshotLocation,
        target: report.target,
        plan: report.plan,
        planDir: report.planDir,
        result: report.result ?? null,
        resultsDir: report.resultsDir ?? null,
      }),
    );
    return;
  }
  io.out(`Restore ${report.result ? '' : 'plan (dry run) '}from ${report.snapshotLocation} into org ${report.target.orgId} (${report.target.alias}).`);
  io.out(formatPlan(report.plan).trimEnd());
  io.out(`Plan: ${report.planDir}`);
  if (!report.result) {
    io.out('Nothing was written to the org. Run again with --apply to carry this plan out.');
    return;
  }
  io.out('');
  io.out('Applied:');
  const width = Math.max(6, ...report.result.objects.map((o) => o.name.length));
  for (const o of report.result.objects) {
    const c = o.counts;
    io.out(`  ${o.name.padEnd(width)}  ${c.undeleted} undeleted, ${c.created} created, ${c.updated} updated, ${c.skipped} skipped, ${c.failed} failed`);
  }
  io.out(`Results (old Id, new Id, outcome, error per record): ${report.resultsDir ?? ''}`);
}
