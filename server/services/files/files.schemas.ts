// Input schemas of the PC2 file API (/api/files/*, /ipfs). Puter's routes take PuterBody: the
// lenient Puter-input layer (puter-input.ts) reads their fields on top.
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";

const Path = t.String({ minLength: 1, maxLength: 4096 });
const Uid = t.String({ minLength: 1, maxLength: 200 });

/** An entry by `uid` or `path` (either; the service says which one it found). */
export const Selector = t.Object({ uid: t.Optional(Uid), path: t.Optional(Path) });
export const SearchQuery = t.Object({ q: t.Optional(t.String({ maxLength: 255 })) });
export const ZipQuery = t.Object({ path: t.Optional(Path), uid: t.Optional(Uid) });

export const CreateUploadBody = t.Object({
  path: Path,
  size: t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  overwrite: t.Optional(t.Boolean()),
  dedupe_name: t.Optional(t.Boolean()),
  create_missing_parents: t.Optional(t.Boolean()),
});
export type CreateUploadBody = Static<typeof CreateUploadBody>;
export const UploadParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
export const ChunkQuery = t.Object({ offset: t.Optional(t.String({ pattern: "^\\d{1,16}$" })) });

export const QuotaParams = t.Object({ address: t.String({ maxLength: 100 }) });
export const QuotaBody = t.Object({ bytes: t.Union([t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), t.Null()]) });
export const CidParams = t.Object({ cid: t.String({ minLength: 1, maxLength: 200 }) });

/** Puter's request bodies: a JSON object whose lenient fields (booleans as "true"/1, selectors in several shapes) the Puter layer reads. */
export const PuterBody = t.Object({}, { additionalProperties: true });
/** Puter's GET routes' query strings, read by the same layer. */
export const PuterQuery = t.Record(t.String(), t.String({ maxLength: 4096 }));
