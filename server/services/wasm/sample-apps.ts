// The sample apps built from source (scripts/wasm-apps/<name>/index.ts) and their manifests.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { AppManifest } from "./app-manifest.ts";

/** Sample apps as name → .wasm file: dist/wasm-apps when running from source, embedded files in the binary. */
export type WasmApps = Record<string, string>;

export function appsInDir(dir: string): WasmApps {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".wasm"))
      .map((f) => [f.slice(0, -5), join(dir, f)]),
  );
}

export const SAMPLE_MANIFESTS: Record<string, Omit<AppManifest, "name">> = {
  calc: {
    description: "Evaluates an arithmetic expression: + - * / %, parentheses, decimals.",
    icon: "🧮",
    args: [{ name: "expression", label: "Expression", type: "string", required: true, default: "(1+2)*3" }],
  },
  wordcount: {
    description: "Counts lines, words and bytes of the input files (or of stdin), like wc.",
    icon: "🔢",
    args: [],
  },
  sha256: {
    description: "Prints the SHA-256 of each input file (or of stdin), like sha256sum.",
    icon: "#️⃣",
    args: [],
  },
  csv2json: {
    description: "Converts each input CSV file (first row: column names) to a JSON file in the output folder.",
    icon: "📊",
    args: [],
  },
};
