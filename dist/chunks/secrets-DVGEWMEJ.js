import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  createSecretWriter,
  sealSecret
} from "./chunk-ZIZ7JOQ6.js";
import "./chunk-UUIBS2XM.js";
import "./chunk-CMDQAP4X.js";
import "./chunk-I2D4YPEE.js";
export {
  createSecretWriter,
  sealSecret
};
