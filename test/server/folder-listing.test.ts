// The explorer's listing when loads overlap (web/apps/files/folder-listing.ts): the newest load owns
// the list, and an older one that is overtaken resolves only once the newest has shown its list — so
// an action that awaits its reload (a new folder, a rename) finds its row there, even when a live
// update's reload began after it and finished first or last.
import { expect, test } from "bun:test";
import type { Entry } from "../../web/apps/files/entry.ts";
import { FolderListing } from "../../web/apps/files/folder-listing.ts";

function entry(name: string): Entry {
  return { uid: name, type: null, cid: null, name, path: `~/${name}`, is_dir: false, is_public: false, size: 1, modified: 0, created: 0, metadata: null };
}

/** A listing whose pages the test hands out one at a time, per load. */
function scripted() {
  const loads: { path: string; give: (page: Entry[] | Error | null) => void }[] = [];
  let draws = 0;
  const listing = new FolderListing(
    () => draws++,
    (path) => {
      const queue: ((page: Entry[] | Error | null) => void)[] = [];
      const waiting: (Entry[] | Error | null)[] = [];
      loads.push({ path, give: (p) => (queue.length ? queue.shift()!(p) : waiting.push(p)) });
      return (async function* () {
        for (;;) {
          const page = waiting.length ? waiting.shift()! : await new Promise<Entry[] | Error | null>((r) => queue.push(r));
          if (page === null) return;
          if (page instanceof Error) throw page;
          yield page;
        }
      })();
    },
  );
  return { listing, loads, draws: () => draws };
}

const settled = () => new Promise((r) => setTimeout(r, 0));
const names = (l: FolderListing) => l.entries.map((e) => e.name);

test("an overtaken load waits for the newest and never shows its own older list", async () => {
  const { listing, loads } = scripted();
  let actionDone = false;
  const action = listing.load("~", "name", false).then(() => (actionDone = true));
  const live = listing.load("~", "name", false);
  loads[0]!.give([entry("old")]);
  loads[0]!.give(null);
  await settled();
  expect(actionDone).toBe(false);
  expect(names(listing)).toEqual([]);
  loads[1]!.give([entry("old"), entry("New folder")]);
  loads[1]!.give(null);
  await Promise.all([action, live]);
  expect(names(listing)).toEqual(["old", "New folder"]);
  expect(listing.status).toBe("ready");
});

test("a load overtaken twice resolves only after the last; a load that was newest when it ended resolves then", async () => {
  const { listing, loads } = scripted();
  const order: string[] = [];
  const first = listing.load("~", "name", false).then(() => order.push(`first saw ${names(listing)}`));
  const second = listing.load("~", "name", false).then(() => order.push(`second saw ${names(listing)}`));
  loads[1]!.give([entry("b")]);
  loads[1]!.give(null);
  await settled();
  expect(order).toEqual(["second saw b"]);
  const third = listing.load("~", "name", false).then(() => order.push(`third saw ${names(listing)}`));
  loads[0]!.give(null);
  await settled();
  expect(order).toEqual(["second saw b"]);
  loads[2]!.give([entry("c")]);
  loads[2]!.give(null);
  await Promise.all([first, second, third]);
  expect(names(listing)).toEqual(["c"]);
  expect(order.sort()).toEqual(["first saw c", "second saw b", "third saw c"]);
});

test("opening a folder draws its rows page by page; a refresh swaps the list once, complete", async () => {
  const { listing, loads, draws } = scripted();
  const opened = listing.load("~/Big", "name", true);
  expect(listing.status).toBe("loading");
  loads[0]!.give([entry("a")]);
  await settled();
  expect(names(listing)).toEqual(["a"]);
  expect(listing.status).toBe("ready");
  loads[0]!.give([entry("b")]);
  loads[0]!.give(null);
  await opened;
  expect(names(listing)).toEqual(["a", "b"]);
  const refreshed = listing.load("~/Big", "name", false);
  loads[1]!.give([entry("a")]);
  await settled();
  const before = draws();
  expect(names(listing)).toEqual(["a", "b"]);
  loads[1]!.give([entry("b"), entry("c")]);
  loads[1]!.give(null);
  await refreshed;
  expect(names(listing)).toEqual(["a", "b", "c"]);
  expect(draws()).toBe(before + 1);
  expect(loads.map((l) => l.path)).toEqual(["~/Big", "~/Big"]);
});

test("a failed listing shows its message and resolves; an overtaken one's failure shows nothing", async () => {
  const { listing, loads } = scripted();
  const failing = listing.load("~", "name", true);
  loads[0]!.give(new Error("The node is not reachable"));
  await failing;
  expect(listing.status).toBe("error");
  expect(listing.error).toBe("The node is not reachable");

  const overtaken = listing.load("~", "name", false);
  const newest = listing.load("~", "name", false);
  loads[1]!.give(new Error("stale failure"));
  loads[2]!.give([entry("x")]);
  loads[2]!.give(null);
  await Promise.all([overtaken, newest]);
  expect(listing.status).toBe("ready");
  expect(names(listing)).toEqual(["x"]);
});

test("an action's failure takes the list's place until the next load", async () => {
  const { listing, loads } = scripted();
  const first = listing.load("~", "name", true);
  loads[0]!.give([entry("a")]);
  loads[0]!.give(null);
  await first;
  listing.fail("A file with that name already exists");
  expect(listing.status).toBe("error");
  expect(listing.error).toBe("A file with that name already exists");
  const retry = listing.load("~", "name", true);
  expect(listing.status).toBe("loading");
  loads[1]!.give(null);
  await retry;
  expect(listing.status).toBe("ready");
  expect(names(listing)).toEqual([]);
});
