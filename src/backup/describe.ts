// Every module's errors carry a remedy (Salesforce, snapshot, storage, config): one way to print them.
export function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    const remedy = (err as { remedy?: unknown }).remedy;
    return typeof remedy === 'string' && remedy ? `${err.message}\nTo fix: ${remedy}` : err.message;
  }
  return String(err);
}

/** `misconfigured`, `transient`, `reauth_required`, `app_pending`, or undefined for a bug. */
export function failureState(err: unknown): string | undefined {
  const state = err instanceof Error ? (err as { state?: unknown }).state : undefined;
  return typeof state === 'string' ? state : undefined;
}
