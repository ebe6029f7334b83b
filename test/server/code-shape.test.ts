// The codebase stays easy to walk: small files, one idea each. Over 300 lines is a warning to split
// soon; over 500 fails.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO } from "../helpers/spawned-node.ts";

const WARN_LINES = 300;
const MAX_LINES = 500;

function sourceFiles(): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "server", "web", "workers", "client", "scripts", "test"], { cwd: REPO });
  return new TextDecoder()
    .decode(listed.stdout)
    .split("\n")
    .filter((f) => f.endsWith(".ts"));
}

test(`no source file is over ${MAX_LINES} lines (over ${WARN_LINES} is reported)`, () => {
  const sizes = sourceFiles().map((f) => [f, readFileSync(join(REPO, f), "utf8").split("\n").length] as const);
  expect(sizes.length).toBeGreaterThan(100);
  const large = sizes.filter(([, n]) => n > WARN_LINES);
  if (large.length) console.warn(`files over ${WARN_LINES} lines (split them before they grow): ${large.map(([f, n]) => `${f} (${n})`).join(", ")}`);
  expect(sizes.filter(([, n]) => n > MAX_LINES)).toEqual([]);
});

/** Relative imports of each source file (server, web, workers, client, scripts), resolved to repo paths. */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles().filter((f) => !f.startsWith("test/"));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(REPO, file), "utf8");
    const deps = [...text.matchAll(/(?:import|export)[^"']*?from\s+"(\.[^"]+)"|import\s+"(\.[^"]+)"/g)]
      .map((m) => (m[1] ?? m[2])!)
      .map((spec) => join(dirname(file), spec))
      .filter((p) => files.includes(p));
    graph.set(file, deps);
  }
  return graph;
}

test("no import cycle anywhere (type-only imports count too: they are still a tangle to read)", () => {
  const graph = importGraph();
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open") cycles.push([...path.slice(path.indexOf(dep)), dep].join(" → "));
      else if (!state.has(dep)) visit(dep, [...path, dep]);
    }
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  expect(graph.size).toBeGreaterThan(100);
  expect(cycles).toEqual([]);
});

test("every desktop element declares its tag in HTMLElementTagNameMap", () => {
  const undeclared = sourceFiles()
    .filter((f) => f.startsWith("web/"))
    .flatMap((f) => {
      const text = readFileSync(join(REPO, f), "utf8");
      return [...text.matchAll(/customElements\.define\("([a-z0-9-]+)"/g)].filter((m) => !text.includes(`"${m[1]}":`)).map((m) => `${f}: ${m[1]}`);
    });
  expect(undeclared).toEqual([]);
});

/**
 * Packages the node needs rarely (a certificate, a zip, a WebDAV body, a backup, the API document)
 * and that cost start-up time when loaded with it: the server imports them with import() where they
 * are used. Measured in a compiled start: acme-client ~95 ms, @peculiar/x509 ~80 ms, fflate ~20 ms,
 * @xmldom/xmldom ~18 ms, age-encryption ~14 ms, @elysiajs/openapi ~12 ms.
 */
const LOADED_ON_FIRST_USE = ["acme-client", "@peculiar/x509", "reflect-metadata", "fflate", "@xmldom/xmldom", "age-encryption", "@elysiajs/openapi"];

test("the node's rarely-used heavy packages are never imported statically by the server", () => {
  // A module that the server only reaches through import() may import them as it likes.
  const files = sourceFiles().filter((f) => !f.startsWith("test/"));
  const loadedWithTheNode = new Set<string>(["server/main.ts"]);
  for (const file of files) {
    const text = readFileSync(join(REPO, file), "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^"';]*?from\s+"(\.[^"]+)"|^import\s+"(\.[^"]+)"/gm)) loadedWithTheNode.add(join(dirname(file), (m[1] ?? m[2])!));
  }
  const offenders: string[] = [];
  for (const file of files.filter((f) => f.startsWith("server/") && loadedWithTheNode.has(f))) {
    const text = readFileSync(join(REPO, file), "utf8");
    for (const m of text.matchAll(/^import\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?"([^"]+)"/gm))
      if (LOADED_ON_FIRST_USE.some((p) => m[1] === p || m[1]!.startsWith(`${p}/`))) offenders.push(`${file}: ${m[0]}`);
  }
  expect(offenders).toEqual([]);
});

test('nothing imports cbor-x\'s main entry: only "cbor-x/decode" and "cbor-x/encode"', () => {
  // The main entry, once loaded, switches every cbor-x decoder in the process to cbor-extract's
  // native string reader; where that optional package is missing or a stand-in (as npm installs it
  // here), text of 64 bytes and more stops decoding — a DHT peer's version, a peer's alt URL.
  const offenders = sourceFiles().flatMap((file) => [...readFileSync(join(REPO, file), "utf8").matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["']cbor-x["']/g)].map(() => file));
  expect(offenders).toEqual([]);
});
