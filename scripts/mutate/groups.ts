// Which modules mutation testing covers, and the tests that guard each group. Every mutant in a group
// is run against that group's tests only (the command runner has no per-test coverage), so a group's
// tests are the ones that exercise its modules, and they stop at the first failure (--bail).

export interface MutateGroup {
  name: string;
  /** Source files to mutate (globs, relative to the repo). */
  mutate: string[];
  /** Test files or folders given to `bun test`. */
  tests: string[];
}

export const MUTATE_GROUPS: MutateGroup[] = [
  {
    name: "auth",
    mutate: [
      "server/services/auth/sign-in.service.ts",
      "server/services/auth/siwe-message.ts",
      "server/services/auth/sessions.service.ts",
      "server/services/auth/sessions.repository.ts",
      "server/services/auth/nonces.repository.ts",
      "server/services/auth/api-tokens.service.ts",
      "server/services/auth/tokens.repository.ts",
      "server/services/auth/secret-tokens.ts",
      "server/services/auth/rate-limiter.ts",
      "server/net/client-key.ts",
      "server/services/auth/owner-reset.ts",
      "server/services/auth/users.service.ts",
    ],
    tests: [
      "test/server/auth/auth-primitives.test.ts",
      "test/server/auth/auth-units.test.ts",
      "test/server/auth/sign-in-service.test.ts",
      "test/server/limits-boundaries.test.ts",
      "test/server/auth/access.test.ts",
      "test/server/auth/roles-table.test.ts",
      "test/server/auth/original-pc2-attacks.test.ts",
      "test/server/auth/sign-in.test.ts",
      "test/server/auth/owner-reset.test.ts",
    ],
  },
  {
    name: "roles",
    mutate: ["server/http/roles.ts", "server/http/authorize.ts", "server/http/auth-guard.ts", "server/http/cookies.ts", "server/http/host-guard.ts"],
    tests: [
      "test/server/auth/access-docs.test.ts",
      "test/server/http-guards.test.ts",
      "test/server/auth/roles-table.test.ts",
      "test/server/host-guard.test.ts",
      "test/server/auth/access.test.ts",
      "test/server/body-limits.test.ts",
      "test/server/auth/original-pc2-attacks.test.ts",
      "test/server/auth/sign-in.test.ts",
    ],
  },
  {
    // The write path: bytes to disk and into the index. Split from files-index so each run fits in
    // a sitting (the crash test alone takes ~11 s of every surviving mutant's run).
    name: "files-write",
    mutate: [
      "server/services/files/file-writer.ts",
      "server/services/files/blob-store.ts",
      "server/services/files/owed-pins.ts",
      "server/services/files/single-block-cid.ts",
      // Small files' bytes in the database, the writers' shared transaction, and the upload's parts.
      "server/services/files/inline-blobs.ts",
      "server/db/group-commit.ts",
      "server/http/multipart.ts",
      "server/fs/atomic-write.ts",
      "server/fs/durable-steps.ts",
      "server/fs/fsync-pool.ts",
      "server/fs/shared-flush.ts",
      // The index's side of durability: WAL mode, its synchronous level, and the WAL's flush before an answer.
      "server/db/database.ts",
    ],
    tests: [
      "test/server/files/durability-order.test.ts",
      "test/server/durable-steps.test.ts",
      "test/server/shared-flush.test.ts",
      "test/server/db.test.ts",
      "test/server/files/fsync-syscalls.test.ts",
      "test/server/fsync-pool.test.ts",
      "test/server/atomic-write.test.ts",
      "test/server/files/file-writer.test.ts",
      "test/server/files/owed-pins.test.ts",
      "test/server/files/write-checks.test.ts",
      "test/server/files/blob-store.test.ts",
      "test/server/limits-boundaries.test.ts",
      "test/server/quota-coverage.test.ts",
      "test/server/files/pc2-api.test.ts",
      "test/server/files/cid.test.ts",
      "test/server/files/hostile-input.test.ts",
      "test/server/files/puter-api.test.ts",
      "test/server/files/crash-safety.test.ts",
      "test/server/group-commit.test.ts",
      "test/server/multipart.test.ts",
      "test/server/files/storage-check.test.ts",
    ],
  },
  {
    // IPFS without a second copy: a file's leaves recorded as places in the file, read back checked
    // against their hashes, and the deep storage check that reads every file back.
    name: "files-ipfs",
    mutate: [
      "workers/filestore-blockstore.ts",
      "workers/leaf-recorder.ts",
      "workers/leaf-refs.ts",
      "workers/file-import.ts",
      "workers/verify-dag.ts",
      "server/services/files/blob-of-cid.ts",
      "server/services/files/storage-check.ts",
    ],
    tests: [
      "test/server/files/filestore.test.ts",
      "test/server/files/storage-check.test.ts",
      "test/server/files/storage-check-deep.test.ts",
      "test/server/files/cid.test.ts",
      "test/server/files/owed-pins.test.ts",
      "test/server/files/crash-safety.test.ts",
    ],
  },
  {
    // Paths, the index and the Trash: what a wallet may name, see and restore.
    name: "files-index",
    mutate: ["server/services/files/virtual-path.ts", "server/services/files/files.repository.ts", "server/services/files/trash.service.ts"],
    tests: [
      "test/server/files/virtual-path.test.ts",
      "test/server/files/files-repository.test.ts",
      "test/server/files/trash.test.ts",
      "test/server/files/unicode-paths.test.ts",
      "test/server/files/hostile-input.test.ts",
      "test/server/folder-pages.test.ts",
      "test/server/quota-coverage.test.ts",
      "test/server/files/pc2-api.test.ts",
      "test/server/files/puter-api.test.ts",
      "test/server/files/puter-sdk.test.ts",
      // The owed pins' rows (files.repository.ts) are read and written by these.
      "test/server/files/owed-pins.test.ts",
      "test/server/files/storage-check.test.ts",
      "test/server/metrics/metrics.test.ts",
    ],
  },
  {
    name: "wasm-sandbox",
    mutate: ["server/services/wasm/sandbox-pool.ts", "server/services/wasm/module-check.ts", "server/services/wasm/wasm-files.ts", "workers/wasi-write-budget.ts"],
    tests: [
      "test/server/module-check.test.ts",
      "test/server/wasm-files-limits.test.ts",
      "test/server/limits-boundaries.test.ts",
      "test/server/wasm-pool.test.ts",
      "test/server/wasm-pool-lifecycle.test.ts",
      "test/server/wasi-write-budget.test.ts",
      "test/server/wasm-parent-death.test.ts",
      "test/server/wasm.test.ts",
      "test/server/wasm-files.test.ts",
    ],
  },
  {
    name: "terminal",
    mutate: ["server/services/terminal/terminal.service.ts", "server/services/terminal/terminal-session.ts", "server/services/terminal/process-session.ts"],
    tests: ["test/server/terminal-session.test.ts", "test/server/terminal-service.test.ts", "test/server/terminal.test.ts"],
  },
  {
    name: "ws-hub",
    mutate: ["server/http/ws-hub.ts", "server/http/ws-protocol.ts", "server/http/json-rpc.ts", "server/http/ws-subscribers.ts", "server/events.ts"],
    tests: [
      "test/server/json-rpc.test.ts",
      "test/server/ws-subscribers.test.ts",
      "test/server/events.test.ts",
      "test/server/ws-hub.test.ts",
      "test/server/ws-hub-lifecycle.test.ts",
      "test/server/ws-hub-messages.test.ts",
    ],
  },
  {
    // The network's wire: Boson ids, keys and sealed boxes, the v2 messages byte by byte (against the
    // protocol's vectors), the Active Proxy's frames and handshake, the routing table and the DHT's
    // abuse guard, and what outbound addresses a node may reach.
    name: "network-wire",
    mutate: [
      "server/boson/id.ts",
      "server/boson/keys.ts",
      "server/boson/crypto-box.ts",
      "server/boson/v2/datagram.ts",
      "server/boson/v2/message-decoder.ts",
      "server/boson/v2/messages.ts",
      "server/boson/v2/records.ts",
      "server/boson/active-proxy/v2-frames.ts",
      "server/boson/active-proxy/v2-handshake.ts",
      "server/boson/active-proxy/byte-budget.ts",
      "server/boson/dht/routing-table.ts",
      "server/boson/dht/abuse-guard.ts",
      "server/net/address-class.ts",
      "server/net/outbound-fetch.ts",
    ],
    tests: [
      "test/server/boson/vectors.test.ts",
      "test/server/boson/id.test.ts",
      "test/server/boson/keys-and-box.test.ts",
      "test/server/boson/message-encoder.test.ts",
      "test/server/boson/message-decoder.test.ts",
      "test/server/boson/message-decoder-requests.test.ts",
      "test/server/boson/message-decoder-responses.test.ts",
      "test/server/boson/datagram.test.ts",
      "test/server/boson/records.test.ts",
      "test/server/boson/active-proxy-frames.test.ts",
      "test/server/boson/active-proxy-edges.test.ts",
      "test/server/boson/routing-table.test.ts",
      "test/server/boson/routing-table-rules.test.ts",
      "test/server/boson/abuse-guard.test.ts",
      "test/server/net/address-class.test.ts",
      "test/server/net/address-ranges.test.ts",
      "test/server/net/outbound-fetch-rules.test.ts",
      "test/server/net/outbound-fetch.test.ts",
      "test/server/boson/node-info.test.ts",
      "test/server/boson/own-record.test.ts",
      "test/server/boson/byte-budget.test.ts",
      "test/server/boson/proxy-client-fuzz.test.ts",
      "test/server/boson/hostile.test.ts",
    ],
  },
  {
    // Backups as stored: the keys from the recovery phrase, sealed chunks, the manifest, retention.
    name: "backup-format",
    mutate: ["server/backup/backup-keys.ts", "server/backup/sealed-chunks.ts", "server/backup/backup-manifest.ts", "server/backup/retention.ts"],
    tests: [
      "test/server/backup/retention-rules.test.ts",
      "test/server/backup/backup-format.test.ts",
      "test/server/backup/backup-crypto.test.ts",
      "test/server/backup/retention.test.ts",
      "test/server/backup/backup-roundtrip.test.ts",
    ],
  },
  {
    name: "key-vault",
    mutate: ["server/services/ai/key-vault.ts"],
    tests: ["test/server/key-vault.test.ts", "test/server/ai-providers.test.ts"],
  },
];
