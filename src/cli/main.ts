// `sfbackup`: the product's commands on a laptop (bundled to dist/cli.js, the package's bin). This
// module only picks the command, prints help, and turns a failure into its message and exit code;
// each command is one module in src/cli/commands/.
import { TOOL_VERSION } from '../backup/version.ts';
import { describeFailure } from '../runtime/errors.ts';
import { classifyDiskFull } from '../runtime/io.ts';
import { type Command, commandHelp, flagTable, parseCommandLine, UsageError } from './command.ts';
import { backupCommand } from './commands/backup.ts';
import { checkCommand } from './commands/check.ts';
import { diffCommand } from './commands/diff.ts';
import { LOGIN_FLAGS, SECRETS_NOTE } from './commands/login-flags.ts';
import { reauthCommand } from './commands/reauth.ts';
import { restoreCommand } from './commands/restore.ts';
import { rotateAppCommand } from './commands/rotate-app.ts';
import { corruptDetails, verifyCommand } from './commands/verify.ts';
import { watchdogCommand } from './commands/watchdog.ts';
import { classify, EXIT, EXIT_HELP, failureJson } from './exit.ts';
import { terminalIo } from './io.ts';

/** Every command, in the order the help lists them. */
const COMMANDS: readonly Command[] = [
  checkCommand,
  backupCommand,
  verifyCommand,
  diffCommand,
  reauthCommand,
  restoreCommand,
  rotateAppCommand,
  watchdogCommand,
];

function globalHelp(): string {
  const lines = [
    `sfbackup ${TOOL_VERSION}: back up Salesforce orgs into your own GitHub repository.`,
    '',
    'Usage: sfbackup <command> [options]',
    '',
    'Commands:',
  ];
  // A synopsis too long for the column gets a line of its own.
  const width = 18;
  for (const c of COMMANDS) {
    const [first = '', ...rest] = c.summary.split('\n');
    if (c.synopsis.length >= width) lines.push(`  ${c.synopsis}`, `  ${' '.repeat(width)}${first}`);
    else lines.push(`  ${c.synopsis.padEnd(width)}${first}`);
    for (const r of rest) lines.push(`  ${' '.repeat(width)}${r}`);
  }
  lines.push(
    '',
    'Login options for check and backup without a config (each also read from the environment variable named):',
    ...flagTable(LOGIN_FLAGS),
    '',
    `  ${SECRETS_NOTE}`,
    '',
    'Run "sfbackup <command> --help" for the options of a command.',
    '',
    'Other options:',
    '  --json                 print the result (check, backup, verify, diff) as JSON on stdout',
    '  -h, --help             this text',
    '  -v, --version          the version',
    '',
    EXIT_HELP,
  );
  return `${lines.join('\n')}\n`;
}

const io = terminalIo();
/** `--json` was given: a failure is also one JSON object on stdout. */
let jsonFailures = false;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    if (name === undefined) throw new UsageError('no command given');
    process.stdout.write(globalHelp());
    return EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    io.out(TOOL_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    jsonFailures = argv.includes('--json');
    throw new UsageError(name.startsWith('-') ? `unknown option "${name}" before the command` : `unknown command "${name}"`);
  }
  // Known before parsing, so a usage error is JSON too.
  jsonFailures = 'json' in command.flags && rest.includes('--json');
  const parsed = parseCommandLine(command, rest, env, io);
  if (parsed.help) {
    process.stdout.write(commandHelp(command as Command, TOOL_VERSION));
    return EXIT.ok;
  }
  return command.run({ flags: parsed.flags, args: parsed.args, env, io });
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    // A full disk surfaces as a bare errno from wherever it struck (a publish copy, a lock file):
    // say which disk is full and what to do, with the exit code of its own.
    const e = classifyDiskFull(caught, {}) ?? caught;
    const c = classify(e);
    if (jsonFailures) io.out(JSON.stringify({ ...failureJson(e, io.scrub), ...corruptDetails(e) }));
    if (e instanceof UsageError) {
      const own = /^run "(sfbackup \S+ --help)"/.exec(e.remedy)?.[1];
      io.err(`sfbackup: ${io.scrub(e.message)}\nRun ${own && own !== 'sfbackup --help' ? `"${own}" (or "sfbackup --help")` : '"sfbackup --help"'} for usage.`);
    } else io.err(`sfbackup: ${io.scrub(describeFailure(e))}`);
    process.exitCode = c.exitCode;
  },
);
