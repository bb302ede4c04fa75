// Runs Azurite's blob service in this process and ends it when the parent goes away: the parent
// holds our stdin, so its exit (even a crash that skips cleanup) closes the pipe and we stop too.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

// The parent runs us in a scratch directory of our own; when it died without cleaning up, we do.
const leave = () => {
  rmSync(process.cwd(), { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', leave);
process.stdin.on('error', leave);
process.stdin.resume();

const require = createRequire(import.meta.url);
// Azurite reads its options from process.argv, which already holds ours: [node, this file, ...flags].
require('azurite/dist/src/blob/main.js');
