// Writers' transactions committed together (server/db/group-commit.ts), on a real database file:
// writers of one moment share one commit; one that throws undoes only its own changes; a commit
// that fails keeps nobody's; a writer may open a transaction of its own inside (a savepoint).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type Database, openDatabase, transaction } from "../../server/db/database.ts";
import { GroupCommit } from "../../server/db/group-commit.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

let dir: ReturnType<typeof makeTempDir>;
let db: Database;
let commits: GroupCommit;
const rows = () =>
  db
    .query<{ v: string }, []>("SELECT v FROM t ORDER BY v")
    .all()
    .map((r) => r.v);
const insert = (v: string) => db.query("INSERT INTO t (v) VALUES (?)").run(v);

beforeEach(() => {
  dir = makeTempDir();
  db = openDatabase(join(dir.path, "pc2.db"));
  db.run("CREATE TABLE t (v TEXT PRIMARY KEY)");
  db.run("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
  db.run("CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
  commits = new GroupCommit(db);
});
afterEach(() => {
  db.close();
  dir.remove();
});

test("writers of one moment share one commit, each getting its own result; a later one gets the next", async () => {
  const results = await Promise.all(["a", "b", "c"].map((v) => commits.run(() => (insert(v), `${v} done`))));
  expect(results).toEqual(["a done", "b done", "c done"]);
  expect(commits.stats).toEqual({ batches: 1, writers: 3 });
  expect(db.inTransaction).toBe(false);
  await commits.run(() => insert("d"));
  expect(commits.stats).toEqual({ batches: 2, writers: 4 });
  expect(rows()).toEqual(["a", "b", "c", "d"]);
});

test("nothing is visible before the commit, and everything after it is in the database file", async () => {
  const done = commits.run(() => insert("x"));
  expect(rows()).toEqual([]);
  await done;
  const other = openDatabase(join(dir.path, "pc2.db"));
  expect(other.query("SELECT v FROM t").all()).toEqual([{ v: "x" }]);
  other.close();
});

test("a writer that throws undoes its own changes only, and gets its error; the others are committed", async () => {
  const outcomes = await Promise.allSettled([
    commits.run(() => insert("kept-1")),
    commits.run(() => {
      insert("undone");
      throw new Error("over quota");
    }),
    commits.run(() => insert("kept-1")), // a constraint violation: its own failure, no one else's
    commits.run(() => insert("kept-2")),
  ]);
  expect(outcomes.map((o) => (o.status === "fulfilled" ? "ok" : (o.reason as Error).message))).toEqual(["ok", "over quota", "UNIQUE constraint failed: t.v", "ok"]);
  expect(rows()).toEqual(["kept-1", "kept-2"]);
  expect(commits.stats).toEqual({ batches: 1, writers: 4 });
});

test("a commit that fails keeps nobody's changes, and every writer of the batch gets its error", async () => {
  const outcomes = await Promise.allSettled([
    commits.run(() => insert("lost")),
    // Checked at the commit only (a deferred foreign key): the whole commit fails.
    commits.run(() => db.query("INSERT INTO child (parent) VALUES (42)").run()),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
  expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain("FOREIGN KEY constraint failed");
  expect([rows(), db.inTransaction, commits.stats.batches]).toEqual([[], false, 0]);
  // The next batch starts clean.
  await commits.run(() => insert("after"));
  expect(rows()).toEqual(["after"]);
});

test("a writer's own transaction inside is a savepoint: undone with the writer if the writer throws after it", async () => {
  const outcomes = await Promise.allSettled([
    commits.run(() => transaction(db, () => insert("nested-kept"))),
    commits.run(() => {
      transaction(db, () => insert("nested-undone"));
      throw new Error("later failure");
    }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected"]);
  expect(rows()).toEqual(["nested-kept"]);
});
