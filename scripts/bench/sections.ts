// Records a benchmark's table in docs/performance.md between <!-- bench:NAME --> markers.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeSection(name: string, body: string): void {
  const file = join(import.meta.dir, "..", "..", "docs", "performance.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Performance\n";
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body}\n${close}`;
  const re = new RegExp(`${open}[\\s\\S]*?${close}`);
  writeFileSync(file, re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n${block}\n`);
  console.log(`updated ${file}`);
}
