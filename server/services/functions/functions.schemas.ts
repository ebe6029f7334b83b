// Input schemas of the functions API.
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";
import { MAX_FILES } from "./function-bundler.ts";

/** A function's name: its URL segment (lower-case letters, digits and dashes). */
const Name = t.String({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" });
const Visibility = t.Union([t.Literal("private"), t.Literal("public")]);
/** One DNS label: the function's own host name is <subdomain>.<the node's functions domain>. */
const Subdomain = t.Union([t.String({ pattern: "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$" }), t.Null()]);
const Limit = t.Union([t.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }), t.Null()]);
const Hosts = t.Array(t.String({ minLength: 1, maxLength: 260 }), { maxItems: 64 });

export const DeployBody = t.Object({
  name: Name,
  /** The function's files, or `folder`: a folder of the caller's own storage ("~/Functions/hello"). */
  files: t.Optional(t.Array(t.Object({ path: t.String({ minLength: 1, maxLength: 255 }), content: t.String() }), { minItems: 1, maxItems: MAX_FILES })),
  folder: t.Optional(t.String({ minLength: 1, maxLength: 4096 })),
  entry: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  visibility: t.Optional(Visibility),
  allowedHosts: t.Optional(Hosts),
});
export type DeployBody = Static<typeof DeployBody>;

export const FunctionParams = t.Object({ name: Name });

export const UpdateBody = t.Object({
  visibility: t.Optional(Visibility),
  disabled: t.Optional(t.Boolean()),
  allowedHosts: t.Optional(Hosts),
  /** The Owner only: outbound requests may also reach the LAN and loopback. */
  allowLan: t.Optional(t.Boolean()),
  /** Its own host name (<subdomain>.<functions domain>); null removes it. */
  subdomain: t.Optional(Subdomain),
  /** Limits lower than the node's (ranges checked against the node's own); null goes back to the node's. */
  limits: t.Optional(t.Object({ wallMs: t.Optional(Limit), memoryMb: t.Optional(Limit), concurrency: t.Optional(Limit), bodyBytes: t.Optional(Limit) }, { additionalProperties: false })),
});

export const RollbackBody = t.Object({ deployment: t.String({ pattern: "^[0-9a-f]{16}$" }) });

export const SecretsBody = t.Object({
  secrets: t.Record(t.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]{0,63}$" }), t.Union([t.String({ maxLength: 8192 }), t.Null()]), { additionalProperties: false, maxProperties: 64 }),
});

/** (The rest of the path, Elysia's "*", is read from the URL itself.) */
export const InvokeParams = t.Object({ owner: t.String({ pattern: "^0x[0-9a-fA-F]{40}$" }), name: Name }, { additionalProperties: true });
