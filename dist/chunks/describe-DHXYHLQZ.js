import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  describeFailure,
  failureState
} from "./chunk-EFIFANU3.js";
import "./chunk-I2D4YPEE.js";
export {
  describeFailure,
  failureState
};
