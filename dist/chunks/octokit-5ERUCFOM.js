import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  createOctokit,
  httpStatus
} from "./chunk-CMDQAP4X.js";
import "./chunk-I2D4YPEE.js";
export {
  createOctokit,
  httpStatus
};
