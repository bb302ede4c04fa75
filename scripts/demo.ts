// `npm run demo`: the whole product in one command, on the embedded emulators. A Salesforce
// emulator with three orgs (a production org whose Connected App rotates refresh tokens, a sandbox,
// and a production org whose token was revoked) and a GitHub emulator holding the repository, its
// secrets and its issues. Each org is backed up by the action itself (dist/index.js, run as the
// runner runs a `node24` step) into the backup branch of the repository; the rotated token is
// written back to its secret, the status goes to the status branch, the revoked org gets an issue,
// and the status site is built from the status branch.
//
//   npm run demo [-- DIR] [-- --serve [--port N]]
//
// DIR keeps everything (a fresh temp folder otherwise): the workspace, a mirror of the repository
// (its backup and status branches), and the site. With --serve the site is served on 127.0.0.1
// until Ctrl-C. The last line on stdout is the path of the site's index.html (a contract: scripts
// and tests read it).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startGitHubEmulator } from '../test/emulators/github/emulator.ts';
import { type Emulator, startEmulator } from '../test/emulators/salesforce/emulator.ts';

const root = path.resolve(import.meta.dirname, '..');
const ACTION = path.join(root, 'dist/index.js');
const SITE = path.join(root, 'site/build.ts');
const OWNER = 'acme';
const REPO = 'salesforce-backups';
const STATUS_BRANCH = 'salesforce-backup-status';
const BACKUP_BRANCH = 'salesforce-backups';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { serve: { type: 'boolean', default: false }, port: { type: 'string', default: '0' } },
});
const dir = path.resolve(positionals[0] ?? mkdtempSync(path.join(tmpdir(), 'sfbackup-demo-')));
mkdirSync(dir, { recursive: true });

const out = (line = '') => process.stdout.write(`${line}\n`);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child process with only the environment given (plus PATH), its output captured. */
function run(file: string, args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The emulator's control surface (never called by the product). */
async function control<T>(emu: Emulator, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.loginUrl}/__emu${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** `name<<DELIM … DELIM` blocks and `name=value` lines, as @actions/core writes GITHUB_OUTPUT. */
function outputsOf(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      outputs[heredoc[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return outputs;
}

const CONFIG = `# The org config the action reads (docs/setup.md): names of secrets, never values.
defaults:
  storage: { kind: branch }
orgs:
  - alias: prod
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    # Its own Connected App, with Refresh Token Rotation on.
    client-id-secret: SF_CLIENT_ID_PROD
    client-secret-secret: SF_CLIENT_SECRET_PROD
  - alias: uat
    type: sandbox
    refresh-token-secret: SF_REFRESH_TOKEN_UAT
  - alias: eu
    type: production
    refresh-token-secret: SF_REFRESH_TOKEN_EU
`;

const [emu, gh] = await Promise.all([
  startEmulator({
    https: false,
    orgs: [
      { alias: 'prod', sandbox: false, records: 400, seed: 1, name: 'Acme Production' },
      { alias: 'uat', sandbox: true, records: 200, seed: 2, name: 'Acme UAT' },
      { alias: 'eu', sandbox: false, records: 100, seed: 3, name: 'Acme Europe' },
    ],
  }),
  startGitHubEmulator({ owner: OWNER, repo: REPO }),
]);
let serving = false;
try {
  out(`Emulators up in ${seconds()}: Salesforce at ${emu.loginUrl} (sandboxes ${emu.testLoginUrl}), GitHub at ${gh.apiUrl}.`);
  const byAlias = (alias: string) => {
    const c = emu.credentials.find((x) => x.alias === alias);
    if (!c) throw new Error(`the emulator has no org ${alias}`);
    return c;
  };
  const secret = (name: string, value: string) => gh.setSecret({ scope: 'repository', owner: OWNER, repo: REPO, name }, value);
  const stored = (name: string) => gh.secret({ scope: 'repository', owner: OWNER, repo: REPO, name })?.value ?? '';

  // The shared Connected App (uat, eu), and prod's own app that rotates its refresh tokens.
  const shared = byAlias('uat');
  secret('SF_CLIENT_ID', shared.clientId);
  secret('SF_CLIENT_SECRET', shared.clientSecret);
  const rotating = await control<{ consumerKey: string; consumerSecret: string }>(emu, 'POST', '/apps', { rotation: true });
  secret('SF_CLIENT_ID_PROD', rotating.consumerKey);
  secret('SF_CLIENT_SECRET_PROD', rotating.consumerSecret);
  const prodGrant = await control<{ refreshToken: string }>(emu, 'POST', '/grants', { user: byAlias('prod').userId, app: rotating.consumerKey });
  secret('SF_REFRESH_TOKEN_PROD', prodGrant.refreshToken);
  secret('SF_REFRESH_TOKEN_UAT', shared.refreshToken);
  // eu's token was revoked in Salesforce (Setup > Connected Apps OAuth Usage > Revoke).
  const euGrant = await control<{ grantId: string; refreshToken: string }>(emu, 'POST', '/grants', {
    user: byAlias('eu').userId,
    app: byAlias('eu').clientId,
  });
  secret('SF_REFRESH_TOKEN_EU', euGrant.refreshToken);
  await control(emu, 'POST', `/grants/${euGrant.grantId}/revoke`, {});
  out('Orgs: prod (production, its app rotates refresh tokens), uat (sandbox), eu (production, token revoked).');
  out();

  // The repository's checkout as the runner has it: the org config and the backup workflow.
  const workspace = path.join(dir, 'workspace');
  mkdirSync(path.join(workspace, '.github/workflows'), { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), CONFIG);
  copyFileSync(path.join(root, '.github/workflows/backup.yml'), path.join(workspace, '.github/workflows/backup.yml'));
  const secretsToken = gh.createToken({ permissions: { secrets: 'write' } });
  // The emulator's generic login hosts stand in for login.salesforce.com and test.salesforce.com.
  const loginHosts = JSON.stringify({ production: emu.loginUrl, sandbox: emu.testLoginUrl });

  const results: { alias: string; outputs: Record<string, string>; rotated: boolean; code: number | null }[] = [];
  for (const alias of ['prod', 'uat', 'eu']) {
    const step = path.join(dir, 'runner', alias);
    const temp = path.join(step, 'temp');
    mkdirSync(temp, { recursive: true });
    const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(step, k)]));
    for (const f of Object.values(files)) writeFileSync(f, '');
    const tokenBefore = stored(`SF_REFRESH_TOKEN_${alias.toUpperCase()}`);
    // What the workflow passes: ${{ toJSON(secrets) }}, as GitHub holds them right now.
    const secrets = Object.fromEntries(
      [
        'SF_CLIENT_ID',
        'SF_CLIENT_SECRET',
        'SF_CLIENT_ID_PROD',
        'SF_CLIENT_SECRET_PROD',
        'SF_REFRESH_TOKEN_PROD',
        'SF_REFRESH_TOKEN_UAT',
        'SF_REFRESH_TOKEN_EU',
      ].map((n) => [n, stored(n)]),
    );
    const inputs: Record<string, string> = {
      command: 'backup',
      org: alias,
      'config-file': '.github/salesforce-backup.yml',
      secrets: JSON.stringify(secrets),
      'github-token': gh.token,
      'secrets-token': secretsToken,
      'backup-remote': gh.gitUrl(),
      'backup-branch': BACKUP_BRANCH,
      'status-branch': STATUS_BRANCH,
      'publish-status': 'true',
      'open-issues': 'true',
      'full-every': '7',
      'app-pending-window': '0',
    };
    const ghRun = await gh.createRun();
    const env: Record<string, string> = {
      ...ghRun.env(),
      ...files,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: temp,
      GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/backup.yml@refs/heads/main`,
      SFBACKUP_LOGIN_HOSTS: loginHosts,
    };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    out(`$ the backup workflow's step for org ${alias}   (uses: ./ with command: backup, org: ${alias})`);
    const ran = await run(ACTION, [], env);
    const outputs = outputsOf(readFileSync(files.GITHUB_OUTPUT as string, 'utf8'));
    const rotated = stored(`SF_REFRESH_TOKEN_${alias.toUpperCase()}`) !== tokenBefore;
    results.push({ alias, outputs, rotated, code: ran.code });
    if (ran.code === 0) {
      out(
        `  ok: ${outputs.mode} backup, ${outputs.objects} objects, ${outputs.rows} rows, ${outputs['api-calls']} API calls -> ${outputs['snapshot-location']}`,
      );
      if (rotated) out(`  Salesforce rotated the refresh token; the action stored the new one in the secret SF_REFRESH_TOKEN_${alias.toUpperCase()}`);
    } else {
      out(`  FAILED (as expected for a revoked token): ${outputs['auth-state']} / ${outputs['auth-reason']}`);
      out(`  To fix: ${outputs['auth-remedy']}`);
    }
  }
  if (results.some((r) => (r.alias === 'eu' ? r.code === 0 : r.code !== 0))) throw new Error('a backup did not end as the demo expects; see the lines above');
  out();

  const issues = gh.issues({ state: 'open' });
  for (const issue of issues) out(`Issue #${issue.number} opened in ${OWNER}/${REPO}: ${issue.title}`);

  // Keep the repository (backup and status branches) after the emulator stops.
  const mirror = path.join(dir, `${REPO}.git`);
  execFileSync('git', ['clone', '-q', '--mirror', gh.bareRepoPath(), mirror]);
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', mirror, ...args], { encoding: 'utf8' }).trim();
  out(
    `Backup branch ${BACKUP_BRANCH}: ${git('rev-list', '--count', BACKUP_BRANCH)} commits, orgs ${git('ls-tree', '--name-only', BACKUP_BRANCH).split('\n').join(', ')}`,
  );
  const statusDir = path.join(dir, 'status');
  execFileSync('git', ['clone', '-q', '--branch', STATUS_BRANCH, mirror, statusDir]);
  out(`Status branch ${STATUS_BRANCH}: checked out in ${statusDir}`);
  out();

  out(`$ npm run site -- --data ${statusDir} --out ${path.join(dir, 'site')}`);
  const site = await run(SITE, ['--data', statusDir, '--out', path.join(dir, 'site'), '--repo', `${OWNER}/${REPO}`, '--quiet'], {
    ASTRO_TELEMETRY_DISABLED: '1',
  });
  if (site.code !== 0) throw new Error(`the site build failed (exit ${site.code}): ${site.stderr}`);
  const index = site.stdout.trim().split('\n').pop() ?? '';
  out(`Built the status site in ${seconds()} (all told).`);
  await Promise.all([emu.close(), gh.close()]);

  if (values.serve) {
    const siteDir = path.dirname(index);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.join(siteDir, path.normalize(rel));
      if (!file.startsWith(siteDir)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(file);
        const type = { '.html': 'text/html', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.xml': 'application/atom+xml' }[
          path.extname(file)
        ];
        res.writeHead(200, { 'content-type': `${type ?? 'application/octet-stream'}; charset=utf-8` }).end(body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    serving = true;
    out(`Serving the site at http://127.0.0.1:${port}/ (Ctrl-C stops it).`);
    process.on('SIGINT', () => server.close(() => process.exit(0)));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  } else {
    out('Open it in a browser (or run `npm run demo -- --serve`):');
  }
  out(index);
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  if (!serving) await Promise.all([emu.close(), gh.close()]).catch(() => {});
}
