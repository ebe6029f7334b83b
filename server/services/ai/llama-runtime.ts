// Where the AI worker imports node-llama-cpp from. From source: the installed package. In the
// single binary: node-llama-cpp needs real files (its native addon, the llama.cpp shared libraries
// it links, JSON it reads beside itself), so the binary carries them as a zip (scripts/build-llama-
// runtime.ts) and unpacks it once into data/runtime/, atomically: a folder there is complete.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const ENTRY = "node-llama-cpp/dist/index.js";

export async function llamaModule(embeddedZip: string | undefined, dataDir: string): Promise<string> {
  if (!embeddedZip) return "node-llama-cpp";
  // Loaded here, not with the node: fflate cost ~20 ms of every start-up.
  const { unzipSync } = await import("fflate");
  const zip = readFileSync(embeddedZip);
  const root = join(dataDir, "runtime");
  const dir = join(root, `node-llama-cpp-${createHash("sha256").update(zip).digest("hex").slice(0, 16)}`);
  if (!existsSync(dir)) {
    const tmp = join(root, `.unpacking-${randomBytes(6).toString("hex")}`);
    try {
      for (const [path, bytes] of Object.entries(unzipSync(new Uint8Array(zip)))) {
        if (path.endsWith("/")) continue;
        const target = join(tmp, path);
        if (!target.startsWith(tmp + "/")) throw new Error(`unsafe path in the runtime archive: ${path}`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, bytes, { mode: /\.(node|so)$/.test(path) ? 0o755 : 0o644 });
      }
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return join(dir, ENTRY);
}
