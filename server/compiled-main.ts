// The node's side of the compiled binary: its own entry point inside it, loaded by the binary's
// small entry (scripts/build.ts) with the desktop files, sample WASM apps and AI runtime it embeds.
import { runCli } from "./cli.ts";
import { embeddedAssetStore } from "./http/static-assets.ts";

export interface Embedded {
  /** Desktop files: URL path → embedded file. */
  files: Record<string, string>;
  /** Sample WASM apps: name → embedded module. */
  wasmApps: Record<string, string>;
  /** The node-llama-cpp runtime, zipped. */
  llamaRuntime: string;
}

export async function runCompiledNode(embedded: Embedded): Promise<never> {
  return runCli(process.argv.slice(2), { assets: embeddedAssetStore(embedded.files), wasmApps: embedded.wasmApps, llamaRuntime: embedded.llamaRuntime });
}
