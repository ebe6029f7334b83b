// A function's log lines and request counts outlive the node's process (function-log-store.ts,
// function-telemetry.ts): written in batches to a real database, read back by a new telemetry as a
// restarted node would, trimmed to the last 1,000 lines, cut when a line is too long, and gone with
// the function.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase, type Database } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { EventBus } from "../../../server/events.ts";
import { FunctionLogStore } from "../../../server/services/functions/function-log-store.ts";
import { FunctionTelemetry, type LogEntry, MAX_LOG_CHARS, MAX_LOG_ENTRIES } from "../../../server/services/functions/function-telemetry.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const OWNER = `0x${"a".repeat(40)}`;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as never;
let dir: ReturnType<typeof makeTempDir>;
let db: Database;

beforeEach(() => {
  dir = makeTempDir();
  db = openDatabase(join(dir.path, "pc2.db"));
  migrate(db);
  db.query("INSERT INTO users (address, role, created_at, updated_at) VALUES (?, 'owner', 0, 0)").run(OWNER);
  for (const id of ["fn-a", "fn-b"]) db.query("INSERT INTO functions (id, owner, name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)").run(id, OWNER, id);
});
afterEach(() => {
  db.close();
  dir.remove();
});

const fn = (id: string) => ({ id, owner: OWNER, name: id });
const line = (i: number, message = `line ${i}`): LogEntry => ({ at: 1_000 + i, level: i % 2 ? "info" : "error", message, deployment: "d1" });
const telemetry = (warned: string[] = []) => new FunctionTelemetry(new EventBus(quiet), new FunctionLogStore(db, MAX_LOG_ENTRIES), { warn: (m: string) => void warned.push(m) }, 20);
const restarted = () => telemetry();

test("lines and counts written by one node are read back by the next, in order, with the latencies its own", async () => {
  const t = telemetry();
  for (let i = 0; i < 3; i++) t.log(fn("fn-a"), line(i));
  t.count("fn-a", 5, 200);
  t.count("fn-a", 7, 503);
  t.log(fn("fn-b"), line(9, "only b"));
  await Bun.sleep(60); // the batch is written by its timer
  const next = restarted();
  expect(next.logsOf("fn-a")).toEqual([line(0), line(1), line(2)]);
  expect(next.logsOf("fn-b")).toEqual([line(9, "only b")]);
  expect(next.metricsOf("fn-a")).toEqual({ requests: 2, errors: 1, p50Ms: null, p99Ms: null });
  // Counting goes on from there.
  next.count("fn-a", 3, 200);
  next.write();
  expect(restarted().metricsOf("fn-a")).toMatchObject({ requests: 3, errors: 1 });
  expect(restarted().metricsOf("fn-none")).toEqual({ requests: 0, errors: 0, p50Ms: null, p99Ms: null });
});

test("write() at a stop writes what the timer has not yet", () => {
  const t = telemetry();
  t.log(fn("fn-a"), line(1));
  expect(restarted().logsOf("fn-a")).toEqual([]);
  t.write();
  expect(restarted().logsOf("fn-a")).toEqual([line(1)]);
  t.write(); // nothing new: nothing written twice
  expect(restarted().logsOf("fn-a")).toEqual([line(1)]);
});

test("each function keeps its last 1,000 lines, in memory and in the database, however many come in one batch", () => {
  const t = telemetry();
  for (let i = 0; i < MAX_LOG_ENTRIES + 250; i++) t.log(fn("fn-a"), line(i));
  t.write();
  for (let i = MAX_LOG_ENTRIES + 250; i < MAX_LOG_ENTRIES + 300; i++) t.log(fn("fn-a"), line(i));
  t.write();
  const expected = Array.from({ length: MAX_LOG_ENTRIES }, (_, k) => line(k + 300));
  expect(t.logsOf("fn-a")).toEqual(expected);
  expect(restarted().logsOf("fn-a")).toEqual(expected);
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM function_logs").get()!.n).toBe(MAX_LOG_ENTRIES);
});

test("a line over 8 KiB is cut, and says how long it was", () => {
  const t = telemetry();
  t.log(fn("fn-a"), line(1, "x".repeat(MAX_LOG_CHARS)));
  t.log(fn("fn-a"), line(2, "y".repeat(MAX_LOG_CHARS + 1)));
  t.write();
  const [kept, cut] = restarted().logsOf("fn-a");
  expect(kept!.message.length).toBe(MAX_LOG_CHARS);
  expect(cut!.message).toBe(`${"y".repeat(MAX_LOG_CHARS)}… (${MAX_LOG_CHARS + 1} characters)`);
});

test("a function forgotten, or deleted from the database, takes its lines and counts with it", () => {
  const t = telemetry();
  t.log(fn("fn-a"), line(1));
  t.count("fn-a", 1, 200);
  t.log(fn("fn-b"), line(2));
  t.count("fn-b", 1, 200);
  t.write();
  t.forget("fn-a");
  expect(restarted().logsOf("fn-a")).toEqual([]);
  expect(restarted().metricsOf("fn-a").requests).toBe(0);
  db.query("DELETE FROM functions WHERE id = 'fn-b'").run();
  expect(restarted().logsOf("fn-b")).toEqual([]);
  // Lines for a function deleted before they were written are dropped, not an error.
  t.log(fn("fn-b"), line(3));
  t.count("fn-b", 1, 200);
  t.write();
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM function_logs").get()!.n).toBe(0);
});

test("a database that refuses the batch (a full disk) leaves the lines in memory and says so", async () => {
  const warned: string[] = [];
  const t = telemetry(warned);
  t.log(fn("fn-a"), line(1));
  db.close();
  await Bun.sleep(60);
  expect(warned).toEqual(["function logs could not be written"]);
  expect(t.logsOf("fn-a")).toEqual([line(1)]);
  db = openDatabase(join(dir.path, "pc2.db"));
});
