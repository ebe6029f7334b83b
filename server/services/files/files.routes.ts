// /api/files/*: Trash, search, resumable uploads, folder zip, public links, quotas; and GET /ipfs/:cid.
import { type ShareLinkSources, shareLinks } from "./share-links.ts";
import { Elysia } from "elysia";
import { CID } from "multiformats/cid";
import { BadRequestError, ForbiddenError, ValidationError } from "../../errors.ts";
import { optionalPrincipalOf, principalOf } from "../../http/auth-guard.ts";
import { normalizeAddress } from "../auth/users.service.ts";
import { count } from "./puter-input.ts";
import type { FilesService } from "./files.service.ts";
import type { TrashService } from "./trash.service.ts";
import { NoBody, streamedBody } from "../../http/schema.ts";
import { ChunkQuery, CidParams, CreateUploadBody, QuotaBody, QuotaParams, SearchQuery, Selector, UploadParams, ZipQuery } from "./files.schemas.ts";
import { parseTrashInfo } from "./trash-info.ts";
import { toV1 } from "./fs-entry.ts";
import { fileResponse } from "./read-response.ts";
import type { ResumableUploads } from "./resumable-uploads.ts";

const owner = (request: Request) => principalOf(request).address;
const selectorOf = (b: unknown) => {
  const o = (b ?? {}) as Record<string, unknown>;
  return o.uid ?? o.path ?? o;
};

/** Shared content is someone's file served from the node's origin: it must never run as the node. */
const SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'";

export function filesRoutes(files: FilesService, trash: TrashService, uploads: ResumableUploads, links: ShareLinkSources) {
  return new Elysia({ name: "files.routes" })
    .get("/api/files/trash", ({ request }) => ({
      items: trash.list(owner(request)).map((e) => ({ ...toV1(e), trash: parseTrashInfo(e.metadata) })),
    }))
    .post("/api/files/trash/restore", ({ request, body }) => ({ entry: toV1(trash.restore(owner(request), selectorOf(body))) }), { body: Selector })
    .post("/api/files/trash/empty", ({ request }) => ({ removed: trash.empty(owner(request)) }), { body: NoBody })
    .get("/api/files/search", ({ request, query }) => ({ items: files.search(owner(request), query.q).map(toV1) }), { query: SearchQuery })

    .post(
      "/api/files/uploads",
      ({ request, body, set }) => {
        set.status = 201;
        return uploads.create(owner(request), body);
      },
      { body: CreateUploadBody },
    )
    .get("/api/files/uploads/:id", ({ request, params }) => uploads.status(owner(request), params.id), { params: UploadParams })
    .put(
      "/api/files/uploads/:id",
      ({ request, params, query }) => {
        const raw = query.offset ?? request.headers.get("upload-offset") ?? undefined;
        if (raw === undefined) throw new ValidationError("Say where this chunk goes: ?offset=<bytes> (or an Upload-Offset header)");
        return uploads.put(owner(request), params.id, count(raw, "offset", Number.MAX_SAFE_INTEGER, 0), request.body, request.signal);
      },
      { params: UploadParams, query: ChunkQuery, ...streamedBody("application/octet-stream") },
    )
    .post("/api/files/uploads/:id/complete", async ({ request, params }) => ({ entry: toV1(await uploads.complete(owner(request), params.id)) }), { params: UploadParams, body: NoBody })
    .delete(
      "/api/files/uploads/:id",
      ({ request, params }) => {
        uploads.cancel(owner(request), params.id);
        return { cancelled: true };
      },
      { params: UploadParams },
    )

    .get(
      "/api/files/zip",
      ({ request, query }) => {
        const who = owner(request);
        const dir = files.find(who, query.path ?? query.uid);
        if (!dir.is_dir) throw new BadRequestError("Only folders are zipped; download a file directly", "dest_is_not_a_directory");
        const name = (dir.path === "/" ? who : dir.name) + ".zip";
        const zip = files.zip(who, dir);
        return new Response(zip.body, {
          headers: {
            "content-type": "application/zip",
            // Known ahead, so that the browser can show how far the download is. Bun's server drops a
            // Content-Length set on a streamed body (oven-sh/bun#10507): the desktop's service worker
            // (web/download-worker.ts) puts it back from X-Zip-Length.
            "content-length": String(zip.length),
            "x-zip-length": String(zip.length),
            "content-disposition": `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
            "cache-control": "no-store",
          },
        });
      },
      { query: ZipQuery },
    )

    .post(
      "/api/files/share",
      ({ request, body }) => {
        const e = files.publish(owner(request), selectorOf(body), true);
        return { cid: e.cid, url: `/ipfs/${e.cid}`, links: shareLinks(e.cid!, request.url, links), entry: toV1(e) };
      },
      { body: Selector },
    )
    .post("/api/files/unshare", ({ request, body }) => ({ entry: toV1(files.publish(owner(request), selectorOf(body), false)) }), { body: Selector })

    .get("/api/files/quota", ({ request }) => {
      const who = owner(request);
      return { ...files.quotaOf(who), available: files.available(who) };
    })
    .put(
      "/api/files/quotas/:address",
      ({ params, body }) => {
        const address = normalizeAddress(params.address);
        files.setQuota(address, body.bytes);
        return { address, ...files.quotaOf(address) };
      },
      { params: QuotaParams, body: QuotaBody },
    )

    .get(
      "/ipfs/:cid",
      ({ request, params }) => {
        let cid: string;
        try {
          cid = CID.parse(params.cid).toString();
        } catch {
          throw new BadRequestError("That is not a CID", "invalid_cid");
        }
        const viewer = optionalPrincipalOf(request)?.address ?? null;
        const entry = files.readableByCid(cid, viewer);
        // Unknown and private look the same: nobody learns what a node holds.
        if (!entry) throw new ForbiddenError("This content is not shared", "not_shared");
        const res = fileResponse(request, entry, files.blob(entry.owner, entry), { contentType: entry.mime ?? "application/octet-stream" });
        res.headers.set("content-security-policy", SANDBOX);
        res.headers.set("cache-control", entry.is_public ? "public, max-age=31536000, immutable" : "private, no-cache");
        return res;
      },
      { params: CidParams },
    );
}
