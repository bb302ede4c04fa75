// The action's entry point (bundled to dist/index.js).
import * as core from '@actions/core';
import { describeError } from '../salesforce/errors.ts';
import { run } from './run.ts';

run().catch((err: unknown) => core.setFailed(describeError(err)));
