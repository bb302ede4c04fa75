// What a use case tells the person running it while it works, whichever entry point that is. The
// action renders it with @actions/core (log lines, annotations, masks); the CLI writes stderr and
// keeps stdout for the result. Results themselves (outputs, the job summary, the CLI's table and
// --json) are rendered by the entry point from what the use case returns.
export interface Reporter {
  /** A line of progress. */
  info(message: string): void;
  /** Something a person should look at; `title` heads an annotation where the entry point has them. */
  warning(message: string, title?: string): void;
  /** Hides a secret value from every later line (the action: core.setSecret; the CLI: its scrubber). */
  mask(secret: string): void;
}

/** Masks a value, and each of its lines: the runner matches masks line by line. */
export function maskAll(reporter: Reporter, value: string): void {
  if (!value) return;
  reporter.mask(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) reporter.mask(line);
}
