import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);
import {
  PageEncoder
} from "./chunks/chunk-A57RZ4NC.js";
import "./chunks/chunk-I2D4YPEE.js";

// src/salesforce/bulk-csv/parse-worker.ts
import { parentPort } from "node:worker_threads";
var streams = /* @__PURE__ */ new Map();
var port = parentPort;
if (!port) throw new Error("parse-worker.ts runs as a worker thread");
port.on("message", (req) => {
  try {
    if (req.op === "open") {
      streams.set(req.stream, { encoder: new PageEncoder(req.layout) });
      reply({ id: req.id, ok: true });
      return;
    }
    const s = streams.get(req.stream);
    if (!s) throw new Error(`unknown stream ${req.stream}`);
    if (req.op === "close") {
      streams.delete(req.stream);
      reply({ id: req.id, ok: true });
      return;
    }
    const { header, batch } = req.op === "chunk" ? s.encoder.push(req.chunk) : s.encoder.end();
    if (req.op === "end") streams.delete(req.stream);
    reply({ id: req.id, ok: true, ...header ? { header } : {}, batch }, [batch.bytes.buffer]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply({ id: req.id, ok: false, error: { name: e.name, message: e.message } });
  }
});
function reply(msg, transfer = []) {
  port?.postMessage(msg, transfer);
}
