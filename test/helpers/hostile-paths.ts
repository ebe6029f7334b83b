// Hostile input shared by the file API's tests and WebDAV's: paths that try to climb out, reach
// another wallet or the machine, and names no file may have.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Paths (and non-paths) a client might send to reach outside its own files. */
export function hostilePaths(victimAddress: string, canary: string): unknown[] {
  const bases = [
    "..",
    "../",
    "/..",
    "/../",
    "~/..",
    "~/../..",
    "~/../../etc/passwd",
    "/../../../../etc/passwd",
    "~/Documents/../../..",
    "/etc/passwd",
    "/proc/self/environ",
    "/root/.ssh/id_rsa",
    canary,
    `~/..${canary}`,
    "C:\\Windows\\win.ini",
    "..\\..\\etc\\passwd",
    "~/Documents/./x",
    "~/./Documents",
    "./x",
    "x",
    "",
    " ",
    "~root",
    "~~",
    "~/~/..",
    "Documents",
    "Documents/../..",
    `/${victimAddress}`,
    `/${victimAddress}/Documents/secret.txt`,
    `~/../${victimAddress}/Documents/secret.txt`,
    `/${victimAddress}/../${victimAddress}`,
    "~/Documents/a\u0000b",
    "~/\u0000",
    "~/Documents/\u0007bell",
    "~/Documents/line\nbreak",
    "~/Documents/tab\there",
    "~/Documents/\u202Etxt.exe",
    "~/Documents/\u2028",
    "~/Documents/\u007f",
    "~/Documents/" + "n".repeat(256),
    "~/" + "d/".repeat(2100),
    "~/" + "x".repeat(5000),
    "~/Documents/trailing.",
    "~/Documents/ lead",
    "~/Documents/trail ",
    "~/Documents//double//slash/..",
    "~/Documents/\ud800",
    "~/Trash/..",
    "~/Trash/../..",
    "/$bunfs/root/x",
    "file:///etc/passwd",
    "http://evil.example/x",
    "\\\\server\\share",
  ];
  const shapes: unknown[] = [...bases];
  const badSegments = ["..", ".", "a\u0000b", "\u0007", "line\nbreak", "n".repeat(256), " lead", "trail ", "dot.", "\u202Eexe", "a\\b", "\ud800"];
  for (const seg of badSegments) shapes.push(`~/${seg}`, `~/Documents/${seg}`, `~/Documents/${seg}/x`, `/${seg}/Documents`, `~/Trash/${seg}`);
  shapes.push(null, 42, true, [], {}, ["~/Documents"], { path: "../x" }, { uid: "../../x" }, { parent: "/etc", name: "passwd" }, { parent: "~", name: ".." });
  return shapes;
}

/** Names no file or folder may have. */
export const HOSTILE_NAMES = [
  "",
  " ",
  ".",
  "..",
  "/",
  "a/b",
  "../x",
  "..\\x",
  "C:\\Windows\\win.ini",
  "a\u0000b",
  "\u0007bell",
  "line\nbreak",
  "tab\there",
  "\u202Etxt.exe",
  "\u2028",
  "\u007f",
  "\ud800",
  "n".repeat(256),
  "é".repeat(128),
  "trailing.",
  " lead",
  "trail ",
  "~/..",
  "../../etc/passwd",
  // invisible look-alikes, a leading combining mark, and astral characters past the byte limit
  "secret\u200B.txt",
  "\u200B",
  "\uFEFF",
  "a\u2060b",
  "\u200Fexe.txt",
  "\u0301x",
  "x\u034F",
  "😀".repeat(64),
];

/** Every file under `dir` (IPFS blocks aside), to show that nothing changed. */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p.slice(dir.length));
    }
  };
  walk(dir);
  return out.filter((p) => !p.startsWith("/ipfs/")).sort();
}
