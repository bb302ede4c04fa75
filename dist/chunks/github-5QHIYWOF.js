import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  context,
  getOctokit
} from "./chunk-ZI66U4O3.js";
import "./chunk-EDL5KWHH.js";
import "./chunk-I2D4YPEE.js";
export {
  context,
  getOctokit
};
