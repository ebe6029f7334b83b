// Names and paths on their own (server/services/files/virtual-path.ts): what a client may name, how a
// path it sends becomes one inside its own root, and every refusal with its words and code — at the
// edges (255 and 256 bytes, 4096 and 4097, the first and last character of each forbidden range).
import { describe, expect, test } from "bun:test";
import { refusalOf as refusal } from "../../helpers/refusal.ts";
import { baseName, checkInternalPath, checkName, displayPath, isWithin, joinPath, MAX_NAME_BYTES, MAX_PATH_BYTES, parentPath, resolvePath } from "../../../server/services/files/virtual-path.ts";

const OWNER = `0x${"a".repeat(40)}`;
const OTHER = `0x${"b".repeat(40)}`;

const badName = (message: string, code = "invalid_file_name") => ({ status: 400, code, message });
const badPath = (message: string, code = "invalid_path") => ({ status: 400, code, message });
const bytes = (s: string) => new TextEncoder().encode(s).length;

describe("a name", () => {
  test("plain names pass, NFC-normalised; dots and spaces inside are fine", () => {
    for (const ok of ["a", "report.pdf", ".hidden", "a b", "a.b.c", "x\u00a0y", "नमस्ते", "👩‍👩‍👧", "a\u200cb", "a\u202fb", "a\u2065b"]) expect(checkName(ok)).toBe(ok.normalize("NFC"));
    expect(checkName("e\u0301")).toBe("\u00e9");
  });

  test("not a string, or empty", () => {
    for (const bad of ["", 7, null, undefined, {}, ["a"]]) expect(refusal(() => checkName(bad))).toEqual(badName("A name must be a non-empty string"));
  });

  test("unpaired surrogates, . and .., separators", () => {
    expect(refusal(() => checkName("a\ud800"))).toEqual(badName("A name must be valid Unicode (no unpaired surrogates)"));
    expect(refusal(() => checkName("\udc00a"))).toEqual(badName("A name must be valid Unicode (no unpaired surrogates)"));
    expect(refusal(() => checkName("."))).toEqual(badName('"." is not a valid name'));
    expect(refusal(() => checkName(".."))).toEqual(badName('".." is not a valid name'));
    expect(refusal(() => checkName("a/b"))).toEqual(badName("A name cannot contain /"));
    expect(refusal(() => checkName("..\\..\\x"))).toEqual(badName("A name cannot contain \\"));
  });

  test("control and invisible characters: the first and last of every forbidden range", () => {
    const forbidden = [
      "\u0000",
      "\u0009",
      "\u001f",
      "\u007f",
      "\u0085",
      "\u009f",
      "\u00ad",
      "\u034f",
      "\u061c",
      "\u180e",
      "\u200b",
      "\u200e",
      "\u200f",
      "\u2028",
      "\u2029",
      "\u202a",
      "\u202e",
      "\u2060",
      "\u2064",
      "\u2066",
      "\u206f",
      "\ufeff",
    ];
    for (const c of forbidden)
      expect([c.codePointAt(0)!.toString(16), refusal(() => checkName(`a${c}b`))]).toEqual([c.codePointAt(0)!.toString(16), badName("A name cannot contain control or invisible characters")]);
    // Just outside: space, NBSP, ZWNJ/ZWJ (scripts and emoji need them), the narrow no-break space.
    for (const c of ["\u0020", "\u00a0", "\u00ae", "\u200c", "\u200d", "\u202f", "\u205f", "\ufefe"]) expect(checkName(`a${c}b`)).toBe(`a${c}b`);
  });

  test("a combining mark may not lead; it may follow", () => {
    expect(refusal(() => checkName("\u0301a"))).toEqual(badName("A name cannot start with a combining mark"));
    expect(refusal(() => checkName("\u20dda"))).toEqual(badName("A name cannot start with a combining mark"));
    expect(checkName("a\u20dd")).toBe("a\u20dd");
  });

  test("at most 255 UTF-8 bytes, counted after NFC", () => {
    expect(MAX_NAME_BYTES).toBe(255);
    expect(checkName("a".repeat(255))).toHaveLength(255);
    expect(refusal(() => checkName("a".repeat(256)))).toEqual(badName("A name is at most 255 bytes", "name_too_long"));
    const twoByte = `${"é".repeat(127)}a`;
    expect(bytes(twoByte)).toBe(255);
    expect(checkName(twoByte)).toBe(twoByte);
    expect(refusal(() => checkName("é".repeat(128)))).toEqual(badName("A name is at most 255 bytes", "name_too_long"));
    // 100 decomposed é are 300 bytes as sent, 200 once composed: taken.
    expect(checkName("e\u0301".repeat(100))).toBe("é".repeat(100));
  });

  test("no leading or trailing space, no trailing dot", () => {
    for (const bad of [" a", "a ", "a.", "a..", "\u3000a"]) expect(refusal(() => checkName(bad))).toEqual(badName("A name cannot start or end with a space or end with a dot"));
  });
});

describe("a path a client sends", () => {
  test("the root under each of its names; the owner's own prefix in any case is the root", () => {
    for (const root of ["~", "~/", "/", "//", `/${OWNER}`, `/${OWNER}/`, `/${OWNER.toUpperCase().replace("0X", "0x")}`, `~/${OWNER}`]) expect([root, resolvePath(root, OWNER)]).toEqual([root, "/"]);
    expect(resolvePath(`/${OWNER}/Documents/a.txt`, OWNER)).toBe("/Documents/a.txt");
    expect(resolvePath("~/Documents/a.txt", OWNER)).toBe("/Documents/a.txt");
    expect(resolvePath("/Documents/a.txt", OWNER)).toBe("/Documents/a.txt");
    expect(resolvePath("~//Documents///a.txt/", OWNER)).toBe("/Documents/a.txt");
    expect(resolvePath("~/e\u0301t\u00e9", OWNER)).toBe("/\u00e9t\u00e9");
  });

  test("another wallet's home is refused outright, under any prefix; a name that only looks like one is a name", () => {
    for (const p of [`/${OTHER}`, `/${OTHER}/Documents`, `~/${OTHER}/x`, `/${OWNER}/${OTHER}`])
      expect(refusal(() => resolvePath(p, OWNER))).toEqual({ status: 403, code: "access_denied", message: "Only your own files are reachable" });
    expect(resolvePath(`/${OWNER}x`, OWNER)).toBe(`/${OWNER}x`);
    expect(resolvePath(`~/x${OTHER}`, OWNER)).toBe(`/x${OTHER}`);
    expect(resolvePath(`~/0x${"b".repeat(39)}`, OWNER)).toBe(`/0x${"b".repeat(39)}`);
    expect(resolvePath(`~/Documents/${OTHER}`, OWNER)).toBe(`/Documents/${OTHER}`);
  });

  test("what it must start with, and what it may not hold", () => {
    for (const bad of ["", 1, null, undefined]) expect(refusal(() => resolvePath(bad, OWNER))).toEqual(badPath("path must be a non-empty string"));
    expect(refusal(() => resolvePath("Documents/a.txt", OWNER))).toEqual(badPath('Paths start with / or ~ (got "Documents/a.txt")'));
    expect(refusal(() => resolvePath(`${"x".repeat(50)}`, OWNER))).toEqual(badPath(`Paths start with / or ~ (got "${"x".repeat(40)}")`));
    expect(refusal(() => resolvePath("~x", OWNER))).toEqual(badPath('Paths start with / or ~ (got "~x")'));
    expect(refusal(() => resolvePath("~/a\u0000b", OWNER))).toEqual(badPath("A path cannot contain control characters"));
    expect(refusal(() => resolvePath("~/a\u200bb", OWNER))).toEqual(badPath("A path cannot contain control characters"));
    expect(refusal(() => resolvePath("~/a\ud800", OWNER))).toEqual(badPath("A path must be valid Unicode (no unpaired surrogates)"));
    for (const dots of ["~/a/./b", "~/a/../b", "/..", "~/.."]) expect(refusal(() => resolvePath(dots, OWNER))).toEqual(badPath('Paths cannot contain "." or ".." segments'));
    expect(refusal(() => resolvePath("~/a\\b", OWNER))).toEqual(badName("A name cannot contain \\"));
    expect(refusal(() => resolvePath("~/a /b", OWNER))).toEqual(badName("A name cannot start or end with a space or end with a dot"));
  });

  test("at most 4096 UTF-8 bytes as sent", () => {
    expect(MAX_PATH_BYTES).toBe(4096);
    // "~" and 16 segments of "/" + 255 bytes = 4097; one byte off the last segment is 4096.
    const long = (total: number) => {
      const segments = Array.from({ length: 16 }, () => "a".repeat(255));
      segments[15] = "a".repeat(255 - (4097 - total));
      return `~/${segments.join("/")}`;
    };
    expect(bytes(long(4096))).toBe(4096);
    expect(resolvePath(long(4096), OWNER)).toHaveLength(4096 - 1);
    expect(bytes(long(4097))).toBe(4097);
    expect(refusal(() => resolvePath(long(4097), OWNER))).toEqual(badPath("A path is at most 4096 bytes", "path_too_long"));
    // Counted in bytes, not characters: 2,049 two-byte characters are 4,098 bytes.
    expect(refusal(() => resolvePath(`/${"é".repeat(2048)}`, OWNER))).toEqual(badPath("A path is at most 4096 bytes", "path_too_long"));
  });
});

describe("paths the node builds", () => {
  test("an internal path is re-checked segment by segment", () => {
    expect(checkInternalPath("/")).toBe("/");
    expect(checkInternalPath("/Documents/a.txt")).toBe("/Documents/a.txt");
    expect(refusal(() => checkInternalPath("Documents"))).toEqual(badPath("internal paths start with /"));
    expect(refusal(() => checkInternalPath(""))).toEqual(badPath("internal paths start with /"));
    expect(refusal(() => checkInternalPath("/Documents//a"))).toEqual(badName("A name must be a non-empty string"));
    expect(refusal(() => checkInternalPath("/Documents/"))).toEqual(badName("A name must be a non-empty string"));
    expect(refusal(() => checkInternalPath("/Documents/.."))).toEqual(badName('".." is not a valid name'));
  });

  test("parent, base name, joining, containment and the display form", () => {
    expect([parentPath("/a/b/c"), parentPath("/a"), parentPath("/")]).toEqual(["/a/b", "/", "/"]);
    expect([baseName("/a/b.txt"), baseName("/a"), baseName("/")]).toEqual(["b.txt", "a", ""]);
    expect([joinPath("/", "a"), joinPath("/a", "b")]).toEqual(["/a", "/a/b"]);
    expect(isWithin("/a/b", "/a")).toBe(true);
    expect(isWithin("/a", "/a")).toBe(true);
    expect(isWithin("/x", "/")).toBe(true);
    expect(isWithin("/", "/")).toBe(true);
    expect(isWithin("/ab", "/a")).toBe(false);
    expect(isWithin("/", "/a")).toBe(false);
    expect(isWithin("/b/a", "/a")).toBe(false);
    expect([displayPath("/", OWNER), displayPath("/Documents/a", OWNER)]).toEqual([`/${OWNER}`, `/${OWNER}/Documents/a`]);
  });
});
