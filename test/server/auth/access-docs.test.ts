// docs/access.md is the role table as the node enforces it: rendered from server/http/roles.ts and
// compared here, so a changed role or scope changes the document in the same commit.
import { expect, test } from "bun:test";
import { documentedAccessTable, renderAccessTable } from "../../../scripts/access-table.ts";

test("docs/access.md lists every route, method and topic with the role and token scopes the table gives it (else: bun scripts/access-table.ts)", () => {
  const documented = documentedAccessTable();
  expect(documented).not.toBeNull();
  const rendered = renderAccessTable();
  // Line by line, so a failure names the entries that differ.
  const want = rendered.split("\n");
  const have = documented!.split("\n");
  expect(have.filter((line) => !want.includes(line))).toEqual([]);
  expect(want.filter((line) => !have.includes(line))).toEqual([]);
  expect(documented).toBe(rendered);
});

test("the rendering says what each kind of entry means", () => {
  const rendered = renderAccessTable();
  expect(rendered).toContain("| `GET /health` | anyone | — |");
  expect(rendered).toContain("| `GET /api/identity/phrase` | Owner | browser session only |");
  expect(rendered).toContain("| `GET /whoami` | Member | any scope |");
  expect(rendered).toContain("| `GET /metrics` | Owner | `admin` or `metrics` |");
  expect(rendered).toContain("| `terminal.open` | Admin | browser session only |");
  expect(rendered).toContain("| `files` | Member | `files:read` |");
});
