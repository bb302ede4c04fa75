// Runs the REAL @actions/artifact client in its own process, so every env var it reads at import
// time (GITHUB_API_URL, ACTIONS_*) is in place before the first import. Usage:
//   node artifact-client.ts '<json array of operations>'
// Prints the client's own output (::add-mask:: lines and all), then one `RESULT <json>` line.
type FindBy = { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string };
export type Op =
  | { op: 'upload'; name: string; files: string[]; root: string; options?: { retentionDays?: number; compressionLevel?: number; skipArchive?: boolean } }
  | { op: 'list'; latest?: boolean; findBy?: FindBy }
  | { op: 'get'; name: string; findBy?: FindBy }
  | { op: 'download'; id: number; path: string; expectedHash?: string; findBy?: FindBy }
  | { op: 'delete'; name: string; findBy?: FindBy };

export type OpResult = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string } };

const ops = JSON.parse(process.argv[2] ?? '[]') as Op[];
const { DefaultArtifactClient } = await import('@actions/artifact');
const client = new DefaultArtifactClient();

async function run(o: Op): Promise<unknown> {
  const by = 'findBy' in o && o.findBy ? { findBy: o.findBy } : {};
  switch (o.op) {
    case 'upload':
      return client.uploadArtifact(o.name, o.files, o.root, o.options ?? {});
    case 'list':
      return client.listArtifacts({ ...(o.latest ? { latest: true } : {}), ...by });
    case 'get':
      return client.getArtifact(o.name, by);
    case 'download':
      return client.downloadArtifact(o.id, { path: o.path, ...(o.expectedHash ? { expectedHash: o.expectedHash } : {}), ...by });
    case 'delete':
      return client.deleteArtifact(o.name, by);
  }
}

const results: OpResult[] = [];
for (const o of ops) {
  try {
    results.push({ ok: true, value: await run(o) });
  } catch (err) {
    const e = err as Error;
    results.push({ ok: false, error: { name: e.name || e.constructor.name, message: e.message } });
  }
}
process.stdout.write(`\nRESULT ${JSON.stringify(results)}\n`);
