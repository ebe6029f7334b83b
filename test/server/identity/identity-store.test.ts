import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { EventBus } from "../../../server/events.ts";
import { createLogger } from "../../../server/log.ts";
import { IdentityService, recoverIdentity } from "../../../server/services/identity/identity.service.ts";
import { IdentityFileError, IdentityStore } from "../../../server/services/identity/identity.store.ts";
import { keysFromPhrase } from "../../../server/services/identity/node-id.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const log = createLogger({ level: "error", format: "json", sink: { write: () => {} } });

describe("identity on disk", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: IdentityStore;
  const service = () => new IdentityService(store, new EventBus(log), log);
  beforeEach(() => {
    dir = makeTempDir();
    store = new IdentityStore(dir.path);
  });
  afterEach(() => dir.remove());

  test("first start creates identity.json (0600 in a 0700 folder) holding the phrase", () => {
    const info = service().start();
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    const record = JSON.parse(readFileSync(store.file, "utf8"));
    expect(record.nodeId).toBe(info.nodeId);
    expect(keysFromPhrase(record.mnemonic).nodeId).toBe(info.nodeId);
    expect(info.phrasePending).toBe(true);
    expect(readdirSync(store.dir)).toEqual(["identity.json"]); // no temp files left
  });

  test("the identity survives restarts", () => {
    const first = service().start();
    const second = service().start();
    expect(second).toEqual(first);
  });

  test("confirming the phrase erases it from disk for good", () => {
    const svc = service();
    svc.start();
    const phrase = svc.revealPhrase();
    const words = phrase.split(" ");
    const answer = (i: number, word = words[i - 1]!) => ({ index: i, word });
    expect(() => svc.confirmPhrase({ answers: [answer(1), answer(2)] })).toThrow(/3 to 12 words/);
    expect(() => svc.confirmPhrase({ answers: [answer(1), answer(1), answer(2)] })).toThrow(/distinct position/);
    expect(() => svc.confirmPhrase({ answers: [answer(1), answer(5), answer(13, "x")] })).toThrow(/distinct position/);
    expect(() => svc.confirmPhrase({ answers: [answer(1), answer(5), answer(9, words[8] === "zoo" ? "abandon" : "zoo")] })).toThrow(/Word 9 is not right/);
    expect(svc.info().phrasePending).toBe(true); // nothing erased by a wrong answer
    const after = svc.confirmPhrase({ answers: [answer(3, words[2]!.toUpperCase()), answer(7), answer(12)] });
    expect(after.phrasePending).toBe(false);
    const text = readFileSync(store.file, "utf8");
    expect(text).not.toContain(phrase.split(" ")[0] + " " + phrase.split(" ")[1]);
    expect(JSON.parse(text).mnemonic).toBeUndefined();
    expect(() => svc.revealPhrase()).toThrow(/already confirmed/);
    expect(() => svc.confirmPhrase({ answers: [answer(1), answer(2), answer(3)] })).toThrow(/already confirmed/);
    expect(service().start().phrasePending).toBe(false);
  });

  test("recovery from the phrase alone gives back the same Node ID", () => {
    const svc = service();
    svc.start();
    const phrase = svc.revealPhrase();
    const nodeId = svc.info().nodeId;
    dir.remove();
    const fresh = makeTempDir();
    try {
      const freshStore = new IdentityStore(fresh.path);
      const { identity, replaced } = recoverIdentity(freshStore, phrase, false);
      expect(identity.nodeId).toBe(nodeId);
      expect(replaced).toBeNull();
      expect(freshStore.read().mnemonic).toBeUndefined();
    } finally {
      fresh.remove();
    }
  });

  test("recovery refuses to replace a different identity without force", () => {
    const before = service().start().nodeId;
    expect(() => recoverIdentity(store, ABANDON, false)).toThrow(/already has identity/);
    expect(store.read().nodeId).toBe(before);
    const { identity, replaced } = recoverIdentity(store, ABANDON, true);
    expect(replaced).toBe(before);
    expect(identity.nodeId).toBe("9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x");
  });

  test("a bad phrase changes nothing", () => {
    const before = service().start();
    expect(() => recoverIdentity(store, "abandon abandon", true)).toThrow(/12 words/);
    expect(service().start()).toEqual(before);
  });

  test("a tampered identity file is refused, not used", () => {
    service().start();
    const record = JSON.parse(readFileSync(store.file, "utf8"));
    record.nodeId = keysFromPhrase(ABANDON).nodeId;
    writeFileSync(store.file, JSON.stringify(record));
    expect(() => service().start()).toThrow(IdentityFileError);
    writeFileSync(store.file, "not json");
    expect(() => service().start()).toThrow(/cannot read/);
  });

  test("loose permissions are tightened on read", () => {
    service().start();
    chmodSync(store.file, 0o644);
    chmodSync(store.dir, 0o755);
    service().start();
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
  });
});
