// The routes another PC2 node uses to keep its backups here (/api/backup/peer/…), and the Owner's
// routes that grant and take back those allowances (/api/backup/guests/…). A guest's requests carry
// no session: each is signed by its node key (checked here, before and after its body is read), and
// every answer — errors included — is signed by this node's key, so the guest knows who answered.
// (Their path schemas are loose on purpose: a name is checked inside, so even that refusal is signed.)
import { Elysia } from "elysia";
import { AppError, errorBody, fail, toAppError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { readBodyBytes } from "../../http/json-body.ts";
import { CHUNK_BYTES } from "../../backup/backup-writer.ts";
import { CHUNK_ID, SET_NAME } from "../../backup/destination.ts";
import { PEER_HEADER } from "../../backup/peer-protocol.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { BackupHosting, GuestContext } from "./backup-hosting.ts";
import { NoBody, streamedBody } from "../../http/schema.ts";
import { NodeIdParams } from "../network/network.schemas.ts";
import { BackupGuestBody, ChunkParams, SetParams } from "./backup.schemas.ts";

/** A sealed 4 MiB piece: age adds a header and 16 bytes per 64 KiB. */
export const MAX_SEALED_CHUNK = CHUNK_BYTES + 64 * 1024;
/** A sealed manifest (a few hundred bytes per object: about 400,000 objects). */
export const MAX_SEALED_SET = 128 * 1024 * 1024;

type Kind = "chunk" | "set";
type Answer = { json: unknown } | { bytes: Uint8Array };
type Op = (guest: GuestContext, name: string, body: Uint8Array) => Answer | Promise<Answer>;

const JSON_TYPE = "application/json; charset=utf-8";

function checkedName(kind: Kind, name: string | undefined): string {
  if (name === undefined) return "";
  if (!(kind === "chunk" ? CHUNK_ID : SET_NAME).test(name)) throw fail("invalid_request", kind === "chunk" ? "Not a chunk name" : "Not a backup set name");
  return name;
}

/** Store `body` as `kind` `name` if the guest's allowance has room; keeps the count of its bytes. */
async function store(guest: GuestContext, kind: Kind, name: string, body: Uint8Array): Promise<Answer> {
  const before = guest.store.storedBytes(kind, name);
  if (guest.used() - before + body.length > guest.allowanceBytes) throw allowanceError(guest.allowanceBytes, Math.max(0, guest.allowanceBytes - guest.used()));
  // Counted before the write (which waits on the disk), so two requests at once cannot both fit in the same room.
  guest.add(body.length - before);
  try {
    if (kind === "chunk") await guest.store.putChunk(name, body);
    else await guest.store.putSet(name, body);
  } catch (err) {
    guest.add(before - body.length);
    throw err;
  }
  return { json: { stored: name, usedBytes: guest.used(), allowanceBytes: guest.allowanceBytes } };
}

async function remove(guest: GuestContext, kind: Kind, name: string): Promise<Answer> {
  const before = guest.store.storedBytes(kind, name);
  if (kind === "chunk") await guest.store.deleteChunk(name);
  else await guest.store.deleteSet(name);
  guest.add(-before);
  return { json: { deleted: name, usedBytes: guest.used() } };
}

async function read(guest: GuestContext, kind: Kind, name: string): Promise<Answer> {
  if (!guest.store.storedBytes(kind, name)) throw fail("not_found", kind === "chunk" ? `This node holds no chunk ${name}` : `This node holds no backup set ${name}`);
  return { bytes: kind === "chunk" ? await guest.store.getChunk(name) : await guest.store.getSet(name) };
}

const mib = (n: number) => `${Math.floor((n / 1024 / 1024) * 10) / 10} MiB`;

function allowanceError(allowance: number, left: number): AppError {
  return fail("backup_allowance_exceeded", `This would go over the ${mib(allowance)} this node's owner allows for your backups (${mib(left)} left); ask them for more`);
}

export function peerBackupRoutes(hosting: BackupHosting, audit: AuditService) {
  /** One guest route: pre-check, bounded body, signature, the operation, a signed answer. */
  const route =
    (kind: Kind, op: Op, maxBody = 0) =>
    async ({ request, params }: { request: Request; params?: Record<string, string> }) => {
      const nonce = request.headers.get(PEER_HEADER.nonce) ?? "";
      let status = 200;
      let body: Uint8Array<ArrayBuffer>;
      let type = JSON_TYPE;
      try {
        const name = checkedName(kind, params?.id ?? params?.name);
        const claimed = hosting.precheck(request);
        let input: Uint8Array = new Uint8Array(0);
        if (maxBody) {
          const room = claimed.room(kind, name);
          const limit = Math.min(maxBody, room + 1);
          input = await readBodyBytes(request, limit, () => (limit <= room ? fail("payload_too_large") : allowanceError(claimed.allowanceBytes, room)));
        }
        const guest = hosting.admit(request, new URL(request.url).pathname, input);
        const answer = await op(guest, name, input);
        if ("bytes" in answer) {
          body = new Uint8Array(answer.bytes);
          type = "application/octet-stream";
        } else body = new TextEncoder().encode(JSON.stringify(answer.json));
      } catch (err) {
        const e = toAppError(err);
        if (e.status >= 500 && !(err instanceof AppError)) hosting.log.error("peer backup request failed", { path: new URL(request.url).pathname, err });
        status = e.status;
        body = new TextEncoder().encode(JSON.stringify(errorBody(e)));
      }
      return new Response(body, { status, headers: { "content-type": type, "cache-control": "no-store", [PEER_HEADER.signature]: hosting.signAnswer(nonce, status, body) } });
    };

  return (
    new Elysia({ name: "peer-backup.routes" })
      // ---- a guest node's own backups here
      .get(
        "/api/backup/peer/usage",
        route("chunk", (g) => ({ json: { usedBytes: g.used(), allowanceBytes: g.allowanceBytes } })),
      )
      .get(
        "/api/backup/peer/chunks",
        route("chunk", async (g) => ({ json: { chunks: await g.store.listChunks() } })),
      )
      .get(
        "/api/backup/peer/chunks/:id",
        route("chunk", (g, id) => read(g, "chunk", id)),
        { params: ChunkParams },
      )
      .put(
        "/api/backup/peer/chunks/:id",
        route("chunk", (g, id, body) => store(g, "chunk", id, body), MAX_SEALED_CHUNK),
        { params: ChunkParams, ...streamedBody("application/octet-stream") },
      )
      .delete(
        "/api/backup/peer/chunks/:id",
        route("chunk", (g, id) => remove(g, "chunk", id)),
        { params: ChunkParams },
      )
      .get(
        "/api/backup/peer/sets",
        route("set", async (g) => ({ json: { sets: await g.store.listSets() } })),
      )
      .get(
        "/api/backup/peer/sets/:name",
        route("set", (g, name) => read(g, "set", name)),
        { params: SetParams },
      )
      .put(
        "/api/backup/peer/sets/:name",
        route("set", (g, name, body) => store(g, "set", name, body), MAX_SEALED_SET),
        { params: SetParams, ...streamedBody("application/octet-stream") },
      )
      .delete(
        "/api/backup/peer/sets/:name",
        route("set", (g, name) => remove(g, "set", name)),
        { params: SetParams },
      )
      .post(
        "/api/backup/peer/sweep",
        route("set", async (g) => {
          const removed = await g.store.sweepTemp();
          g.add(g.store.totalBytes() - g.used());
          return { json: { removed } };
        }),
        { body: NoBody },
      )
      // ---- the Owner's grants
      .get("/api/backup/guests", ({ set }) => {
        set.headers["cache-control"] = "no-store";
        return { guests: hosting.list() };
      })
      .put(
        "/api/backup/guests/:nodeId",
        ({ params, body, request }) => {
          const actor = principalOf(request).address;
          const guest = hosting.grant(params.nodeId, body.label, body.allowanceBytes, actor);
          audit.record({ actor, action: "backup.guest.grant", detail: { nodeId: guest.nodeId, allowanceBytes: guest.allowanceBytes } });
          return guest;
        },
        { params: NodeIdParams, body: BackupGuestBody },
      )
      .delete(
        "/api/backup/guests/:nodeId",
        ({ params, request }) => {
          const done = hosting.revoke(params.nodeId);
          audit.record({ actor: principalOf(request).address, action: "backup.guest.revoke", detail: { nodeId: params.nodeId, deletedBytes: done.deletedBytes } });
          return done;
        },
        { params: NodeIdParams },
      )
  );
}
