// The terminal side of sfbackup: stdout for results, stderr for progress, and a scrubber that keeps
// every secret the command has seen out of both.
import type { CliIo } from './command.ts';

export interface TerminalIo extends CliIo {
  /** The text with every registered secret replaced. */
  scrub(text: string): string;
}

/**
 * A reader that stops early (`sfbackup diff … | head -1`) closes the pipe. What is left to print has
 * nowhere to go, and that is no failure of the command: like the usual Unix tools, drop the rest
 * quietly (no EPIPE stack trace) and finish with the command's own exit code.
 */
export function terminalIo(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): TerminalIo {
  const closed = { stdout: false, stderr: false };
  for (const [name, stream] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed[name] = true;
    });
  }
  const secrets: string[] = [];
  const scrub = (text: string): string => {
    let s = text;
    // Longest first, so a value that contains another is taken out whole.
    for (const v of [...secrets].sort((a, b) => b.length - a.length)) if (v.length >= 8) s = s.split(v).join('[redacted]');
    return s;
  };
  return {
    out: (line = '') => {
      if (!closed.stdout) stdout.write(`${line}\n`);
    },
    err: (line = '') => {
      if (!closed.stderr) stderr.write(`${scrub(line)}\n`);
    },
    secret: (value) => {
      if (value && !secrets.includes(value)) secrets.push(value);
    },
    scrub,
  };
}
