#!/usr/bin/env node
import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  reexecWithHeapLimits
} from "./chunks/chunk-XDA2MSO5.js";
import "./chunks/chunk-I2D4YPEE.js";

// src/cli/bin.ts
var major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `sfbackup needs Node.js 24 or newer; this is ${process.version}. Run it through npm (npx sfbackup) in this repository, or install Node 24.
`
  );
  process.exit(1);
}
if (!reexecWithHeapLimits("sfbackup")) await import("./chunks/main-AOC5BD5B.js");
