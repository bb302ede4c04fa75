// What a `sfbackup` command is: its flags, declared once (the parser, the environment fallbacks, the
// secret scrubbing and the help text all come from the declaration), its positionals, and a run
// function that gets the parsed values. Adding a command is one module in src/cli/commands/ and one
// line in src/cli/main.ts.
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { parseSettings } from '../config/credentials.ts';
import { ProductError } from '../runtime/errors.ts';

export interface FlagSpec {
  kind: 'string' | 'boolean';
  /** One or more lines for the help. */
  help: string;
  /** The value's placeholder in the help (`DIR`, `URL`). */
  value?: string;
  /** An environment variable read when the flag is not given (string flags). */
  env?: string | readonly string[];
  /** A secret: its value is kept out of every message. */
  secret?: boolean;
  short?: string;
  /** Left out of the help: a setting for tests and odd setups, still parsed like the others. */
  hidden?: boolean;
}

export type Flags = Record<string, FlagSpec>;

export type FlagValues<F extends Flags> = {
  [K in keyof F]: F[K]['kind'] extends 'boolean' ? boolean : string | undefined;
};

/** Where a command writes: results to stdout, progress and warnings to stderr. */
export interface CliIo {
  out(line?: string): void;
  err(line?: string): void;
  /** Keeps a secret value out of every later line (flags marked secret are registered already). */
  secret(value: string): void;
}

export interface CommandContext<F extends Flags> {
  flags: FlagValues<F>;
  args: string[];
  env: NodeJS.ProcessEnv;
  io: CliIo;
}

export interface Command<F extends Flags = Flags> {
  name: string;
  /** `backup --out DIR`: how the command list shows it. */
  synopsis: string;
  /** One line (or a few) for the command list. */
  summary: string;
  /** Usage lines of the command's own help. */
  usage: readonly string[];
  /** Paragraphs after the options in the command's own help. */
  notes?: readonly string[];
  /** Positional arguments: their names, and the message when some are missing. */
  positionals?: { names: readonly string[]; missing: string };
  flags: F;
  run(ctx: CommandContext<F>): Promise<number>;
}

export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** A command line this CLI cannot run: exit 2 like every other configuration error. */
export class UsageError extends ProductError<'usage'> {
  override readonly name = 'UsageError';
  readonly state = 'misconfigured';
  constructor(message: string, command?: string) {
    super({ reason: 'usage', message, remedy: `run "sfbackup ${command ? `${command} ` : ''}--help" for usage` });
  }
}

function envNames(spec: FlagSpec): readonly string[] {
  return spec.env === undefined ? [] : typeof spec.env === 'string' ? [spec.env] : spec.env;
}

/** `--refresh-token (or SF_REFRESH_TOKEN)`: how a message names a setting. */
export function flagLabel(name: string, spec: FlagSpec): string {
  const env = envNames(spec);
  return env.length ? `--${name} (or ${env.join(', ')})` : `--${name}`;
}

/**
 * The flags' values: the command line, else the environment; secrets registered with `io.secret`
 * before anything can echo them. Throws UsageError for an unknown flag or a wrong number of
 * positionals.
 */
export function parseCommandLine<F extends Flags>(
  command: Command<F>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): { flags: FlagValues<F>; args: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.flags)) options[name] = { type: spec.kind, ...(spec.short ? { short: spec.short } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message, command.name);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    const given = parsed.values[name];
    if (spec.kind === 'boolean') {
      values[name] = given === true;
      continue;
    }
    let value = typeof given === 'string' ? given : undefined;
    for (const e of envNames(spec)) value ||= env[e] || undefined;
    if (spec.secret && value) io.secret(value);
    values[name] = value;
  }
  const help = parsed.values.help === true;
  const names = command.positionals?.names ?? [];
  if (!help) {
    if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument "${parsed.positionals[names.length]}"`, command.name);
    if (parsed.positionals.length < names.length) throw new UsageError(command.positionals?.missing ?? 'missing arguments', command.name);
  }
  return { flags: values as FlagValues<F>, args: parsed.positionals, help };
}

/**
 * Validates flag values with a zod schema whose keys are camelCase flag names (the same fragments
 * the action's inputs use: src/config/settings.ts). Booleans arrive as `true`/`false` text, like
 * the action's inputs; a flag not given is left out so the schema's default applies.
 */
export function validateFlags<S extends z.ZodType, F extends Flags>(
  schema: S,
  specs: F,
  values: FlagValues<F>,
  keys: Record<string, keyof F & string>,
): z.output<S> {
  const raw: Record<string, string | undefined> = {};
  const names: Record<string, string> = {};
  for (const [key, flag] of Object.entries(keys)) {
    const spec = specs[flag] as FlagSpec;
    const v = values[flag];
    raw[key] = typeof v === 'boolean' ? (v ? 'true' : undefined) : v;
    names[key] = flagLabel(flag, spec);
  }
  return parseSettings(schema, raw, names);
}

/** Lines of `  --name VALUE   ENV   help`, aligned. */
export function flagTable(flags: Flags, only?: readonly string[]): string[] {
  const rows = Object.entries(flags)
    .filter(([name, spec]) => !spec.hidden && (!only || only.includes(name)))
    .map(([name, spec]) => ({ left: `--${name}${spec.value ? ` ${spec.value}` : ''}`, env: envNames(spec).join(', '), help: spec.help.split('\n') }));
  const leftWidth = Math.max(...rows.map((r) => r.left.length)) + 1;
  const envWidth = Math.max(0, ...rows.map((r) => r.env.length));
  const lines: string[] = [];
  for (const r of rows) {
    const pad = ' '.repeat(2 + leftWidth + (envWidth ? envWidth + 1 : 0));
    lines.push(`  ${r.left.padEnd(leftWidth)}${envWidth ? `${r.env.padEnd(envWidth)} ` : ''}${r.help[0] ?? ''}`.trimEnd());
    for (const more of r.help.slice(1)) lines.push(`${pad}${more}`);
  }
  return lines;
}

/** The command's own `--help`. */
export function commandHelp(command: Command, version: string): string {
  const lines = [`sfbackup ${version} ${command.name}: ${command.summary.replace(/\n\s*/g, ' ')}`, '', 'Usage:'];
  for (const u of command.usage) lines.push(`  ${u}`);
  if (Object.keys(command.flags).length) lines.push('', 'Options (each also read from the environment variable named):', ...flagTable(command.flags));
  for (const n of command.notes ?? []) lines.push('', n);
  return `${lines.join('\n')}\n`;
}
