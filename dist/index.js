import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  reexecWithHeapLimits
} from "./chunks/chunk-XDA2MSO5.js";
import "./chunks/chunk-I2D4YPEE.js";

// src/action/main.ts
if (!reexecWithHeapLimits("salesforce-backup-action")) {
  const core = await import("./chunks/core-LTB7EVYL.js");
  const { describeFailure } = await import("./chunks/errors-BHHA2GV2.js");
  const { run } = await import("./chunks/run-G33U6WXO.js");
  await run().catch((err) => core.setFailed(describeFailure(err)));
}
