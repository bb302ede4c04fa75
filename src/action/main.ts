// The action's entry point (bundled to dist/index.js).
import * as core from '@actions/core';
import { describeFailure } from '../backup/describe.ts';
import { run } from './run.ts';

run().catch((err: unknown) => core.setFailed(describeFailure(err)));
