// A second, independent sealed-box implementation for interop checks: PyNaCl (Debian python3-nacl)
// under the system python. A pyenv python earlier on PATH would not see the Debian module.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import base64, json, sys
from nacl.public import PrivateKey, PublicKey, SealedBox
req = json.load(sys.stdin)
if req["op"] == "open":
    sk = PrivateKey(base64.b64decode(req["privateKey"]))
    out = SealedBox(sk).decrypt(base64.b64decode(req["cipher"])).decode("utf-8")
else:
    pk = PublicKey(base64.b64decode(req["publicKey"]))
    out = base64.b64encode(SealedBox(pk).encrypt(req["plaintext"].encode("utf-8"))).decode("ascii")
json.dump({"out": out}, sys.stdout)
`;

/** Why PyNaCl cannot be used here, or undefined when it can. */
export function pynaclProblem(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ['-c', 'import nacl.public'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} cannot import nacl (apt-get install python3-nacl): ${r.stderr.trim()}`;
}

function run(req: Record<string, string>): string {
  const out = execFileSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(req), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { out: string }).out;
}

/** Opens a base64 sealed box with a base64 X25519 private key; throws when PyNaCl cannot. */
export function pynaclOpen(privateKey: string, cipher: string): string {
  return run({ op: 'open', privateKey, cipher });
}

/** Seals a value for a base64 X25519 public key; answers the base64 sealed box. */
export function pynaclSeal(publicKey: string, plaintext: string): string {
  return run({ op: 'seal', publicKey, plaintext });
}
