import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  context,
  getOctokit
} from "./chunk-FMNVENCX.js";
import "./chunk-G4NB54VT.js";
export {
  context,
  getOctokit
};
