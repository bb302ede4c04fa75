#!/usr/bin/env node
import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);

// src/cli/bin.ts
var major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `sfbackup needs Node.js 24 or newer; this is ${process.version}. Run it through npm (npx sfbackup) in this repository, or install Node 24.
`
  );
  process.exit(1);
}
await import("./chunks/main-N4O6TWAY.js");
