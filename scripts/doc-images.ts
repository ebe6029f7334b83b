// Refreshes docs/images from the screenshots the browser tests take (run the tests first:
// `node node_modules/.bin/playwright test -c test/e2e/playwright.config.ts`). Each doc image names
// the screenshot it comes from; a missing one is reported, never guessed.
import { copyFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const RESULTS = join(ROOT, "test-results");

/** docs/images/<name> ← the newest test-results/**\/<screenshot>. */
const IMAGES: Record<string, string> = {
  "desktop-files.png": "files-after-upload.png",
  "desktop-files-grid.png": "files-grid.png",
  "desktop-files-phone.png": "390-files.png",
  "phone-account.png": "390-account.png",
  "tablet-files.png": "768-files.png",
  "desktop-light.png": "light-files.png",
  "desktop-settings.png": "settings-users.png",
  "settings-updates.png": "updated.png",
  "desktop-terminal.png": "terminal.png",
  "desktop-editor.png": "editor-code.png",
  "wasm-apps.png": "wasm-apps.png",
  "ai-chat.png": "ai-chat.png",
  "setup-phrase.png": "setup-phrase.png",
  "sign-in-not-invited.png": "sign-in-not-invited.png",
};

function find(name: string, dir = RESULTS): string | null {
  if (!existsSync(dir)) return null;
  let best: string | null = null;
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    const found = statSync(full).isDirectory() ? find(name, full) : entry === name ? full : null;
    if (found && (!best || statSync(found).mtimeMs > statSync(best).mtimeMs)) best = found;
  }
  return best;
}

let missing = 0;
for (const [doc, shot] of Object.entries(IMAGES)) {
  const from = find(shot);
  if (!from) {
    console.error(`missing: ${shot} (for docs/images/${doc})`);
    missing++;
    continue;
  }
  copyFileSync(from, join(ROOT, "docs", "images", doc));
  console.log(`docs/images/${doc} ← ${from.slice(ROOT.length + 1)}`);
}
process.exit(missing ? 1 : 0);
