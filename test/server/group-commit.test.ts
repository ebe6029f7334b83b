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
  // One commit for the three, and no other (not one per writer, emptied by the first).
  await Bun.sleep(10);
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

test("a transaction that cannot begin (one is open already) fails every writer of the batch; the next batch begins once it can", async () => {
  db.run("BEGIN");
  const outcomes = await Promise.allSettled([commits.run(() => insert("a")), commits.run(() => insert("b"))]);
  expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "ok"))).toEqual([expect.stringContaining("within a transaction"), expect.stringContaining("within a transaction")]);
  db.run("ROLLBACK");
  await commits.run(() => insert("c"));
  expect(rows()).toEqual(["c"]);
});

test("a writer that ends the shared transaction itself fails its whole batch (nobody's changes kept), without leaving anyone waiting", async () => {
  const outcomes = Promise.allSettled([commits.run(() => insert("lost")), commits.run(() => db.run("ROLLBACK")), commits.run(() => insert("lost too"))]);
  const settled = await Promise.race([outcomes, Bun.sleep(2000).then(() => "still waiting" as const)]);
  if (settled === "still waiting") throw new Error("writers were left waiting");
  expect(settled.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
  expect([rows(), db.inTransaction]).toEqual([[], false]);
  await commits.run(() => insert("after"));
  expect(rows()).toEqual(["after"]);
});
