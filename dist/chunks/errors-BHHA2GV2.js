import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  AUTH_FAILURE_STATES,
  AUTH_STATES,
  ProductError,
  describeFailure,
  failureState
} from "./chunk-UUIBS2XM.js";
import "./chunk-I2D4YPEE.js";
export {
  AUTH_FAILURE_STATES,
  AUTH_STATES,
  ProductError,
  describeFailure,
  failureState
};
