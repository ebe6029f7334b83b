// The single access table: every HTTP route and every WebSocket method, with the least role allowed.
import { SCOPES, type Role, type Scope } from "../principal.ts";

export interface Access {
  /** null: anyone, signed in or not. */
  role: Role | null;
  /**
   * The API-token scopes accepted (a token must hold one of them; sessions hold every scope of
   * their role). Absent: browser sessions only, never an API token (minting tokens, the recovery
   * phrase, sessions, the terminal).
   */
  scopes?: readonly Scope[];
}

const PUBLIC: Access = { role: null };
/** Signed-in browser sessions only. */
const MEMBER_SESSION: Access = { role: "member" };
/** Anything a signed-in wallet may ask about itself or the socket, with a session or any token. */
const MEMBER_ANY: Access = { role: "member", scopes: SCOPES };
const OWNER_ADMIN: Access = { role: "owner", scopes: ["admin"] };
const OWNER_SESSION: Access = { role: "owner" };
/** Node-wide settings the Owner and Admins change (with a session, or a token with the admin scope). */
const ADMINS: Access = { role: "admin", scopes: ["admin"] };
const FILES_READ: Access = { role: "member", scopes: ["files:read"] };
const FILES_WRITE: Access = { role: "member", scopes: ["files:write"] };
/** Server-side WASM: Admins and the Owner (Members get insufficient_role). */
const WASM: Access = { role: "admin", scopes: ["wasm:run"] };
/** Installing, updating and removing one's own WASM apps. */
const WASM_INSTALL: Access = { role: "admin", scopes: ["wasm:install"] };
/** Deploying and managing one's own edge functions: Admins and the Owner (code execution, like WASM). */
const FUNCTIONS: Access = { role: "admin", scopes: ["functions:deploy"] };
/** AI chat, models, conversations and one's own cloud keys: everyone signed in. */
const AI: Access = { role: "member", scopes: ["ai:chat"] };
/** The Ollama server, pulling and deleting its models: Admins and the Owner. */
const AI_MODELS: Access = { role: "admin", scopes: ["ai:models"] };
/** Admin is the floor here; TerminalService refuses Admins unless the Owner allowed them. API tokens never. */
const TERMINAL: Access = { role: "admin" };

/** Key: "METHOD /route/:pattern" exactly as registered with Elysia. */
export const HTTP_ACCESS: Record<string, Access> = {
  "GET /health": PUBLIC,
  "GET /api/openapi.json": PUBLIC,
  "GET /api/docs": PUBLIC,
  // Prometheus: the Owner, or a token with the metrics scope (made for the scraper alone).
  "GET /metrics": { role: "owner", scopes: ["admin", "metrics"] },
  "GET /api/info": PUBLIC,
  "GET /*": PUBLIC, // the desktop's static files

  "POST /api/auth/challenge": PUBLIC,
  "POST /api/auth/login": PUBLIC,
  "GET /api/auth/setup": PUBLIC,
  "POST /api/auth/logout": MEMBER_SESSION,
  "GET /api/auth/sessions": MEMBER_SESSION,
  "DELETE /api/auth/sessions/:id": MEMBER_SESSION,
  "GET /whoami": MEMBER_ANY,

  "GET /api/users": OWNER_ADMIN,
  "POST /api/users": OWNER_ADMIN,
  "PATCH /api/users/:address": OWNER_ADMIN,
  "DELETE /api/users/:address": OWNER_ADMIN,

  "GET /api/tokens": MEMBER_SESSION,
  "POST /api/tokens": MEMBER_SESSION,
  "DELETE /api/tokens/:id": MEMBER_SESSION,

  "GET /api/audit": OWNER_ADMIN,

  "GET /api/identity": OWNER_ADMIN,
  "GET /api/identity/phrase": OWNER_SESSION,
  "POST /api/identity/phrase/confirm": OWNER_SESSION,

  // Puter-compatible file API (each wallet sees only its own files).
  "POST /stat": FILES_READ,
  "POST /readdir": FILES_READ,
  "POST /fs/readdir": FILES_READ,
  "GET /fs/readdir": FILES_READ,
  "POST /search": FILES_READ,
  "GET /read": FILES_READ,
  "GET /df": FILES_READ,
  "POST /df": FILES_READ,
  "POST /mkdir": FILES_WRITE,
  "POST /rename": FILES_WRITE,
  "POST /move": FILES_WRITE,
  "POST /copy": FILES_WRITE,
  "POST /delete": FILES_WRITE,
  "POST /write": FILES_WRITE,
  "POST /batch": FILES_WRITE,

  // PC2 file API.
  "GET /api/files/trash": FILES_READ,
  "POST /api/files/trash/restore": FILES_WRITE,
  "POST /api/files/trash/empty": FILES_WRITE,
  "GET /api/files/search": FILES_READ,
  "POST /api/files/uploads": FILES_WRITE,
  "GET /api/files/uploads/:id": FILES_WRITE,
  "PUT /api/files/uploads/:id": FILES_WRITE,
  "POST /api/files/uploads/:id/complete": FILES_WRITE,
  "DELETE /api/files/uploads/:id": FILES_WRITE,
  "GET /api/files/zip": FILES_READ,
  "POST /api/files/share": FILES_WRITE,
  "POST /api/files/unshare": FILES_WRITE,
  "GET /api/files/quota": FILES_READ,
  "PUT /api/files/quotas/:address": OWNER_ADMIN,
  "GET /api/wasm/apps": WASM,
  "POST /api/wasm/apps": WASM_INSTALL,
  "PUT /api/wasm/apps/:name": WASM_INSTALL,
  "DELETE /api/wasm/apps/:name": WASM_INSTALL,
  "POST /api/wasm/execute": WASM,

  "GET /api/functions": FUNCTIONS,
  "POST /api/functions": FUNCTIONS,
  "GET /api/functions/:name": FUNCTIONS,
  "PATCH /api/functions/:name": FUNCTIONS,
  "DELETE /api/functions/:name": FUNCTIONS,
  "POST /api/functions/:name/rollback": FUNCTIONS,
  "PUT /api/functions/:name/secrets": FUNCTIONS,
  "GET /api/functions/:name/logs": FUNCTIONS,
  // The functions themselves: public ones for anyone; a private one checks for a signed-in user itself.
  // WebDAV (HEAD is checked as GET): reading with files:read, changing with files:write.
  "OPTIONS /dav": FILES_READ,
  "OPTIONS /dav/*": FILES_READ,
  "GET /dav": FILES_READ,
  "GET /dav/*": FILES_READ,
  "PROPFIND /dav": FILES_READ,
  "PROPFIND /dav/*": FILES_READ,
  "PUT /dav": FILES_WRITE,
  "PUT /dav/*": FILES_WRITE,
  "DELETE /dav": FILES_WRITE,
  "DELETE /dav/*": FILES_WRITE,
  "MKCOL /dav": FILES_WRITE,
  "MKCOL /dav/*": FILES_WRITE,
  "COPY /dav": FILES_WRITE,
  "COPY /dav/*": FILES_WRITE,
  "MOVE /dav": FILES_WRITE,
  "MOVE /dav/*": FILES_WRITE,
  "PROPPATCH /dav": FILES_WRITE,
  "PROPPATCH /dav/*": FILES_WRITE,
  "LOCK /dav": FILES_WRITE,
  "LOCK /dav/*": FILES_WRITE,
  "UNLOCK /dav": FILES_WRITE,
  "UNLOCK /dav/*": FILES_WRITE,
  "GET /fn/:owner/:name": PUBLIC,
  "GET /fn/:owner/:name/*": PUBLIC,
  "POST /fn/:owner/:name": PUBLIC,
  "POST /fn/:owner/:name/*": PUBLIC,
  "PUT /fn/:owner/:name": PUBLIC,
  "PUT /fn/:owner/:name/*": PUBLIC,
  "PATCH /fn/:owner/:name": PUBLIC,
  "PATCH /fn/:owner/:name/*": PUBLIC,
  "DELETE /fn/:owner/:name": PUBLIC,
  "DELETE /fn/:owner/:name/*": PUBLIC,
  "OPTIONS /fn/:owner/:name": PUBLIC,
  "OPTIONS /fn/:owner/:name/*": PUBLIC,
  "GET /api/ai/models": AI,
  "PUT /api/ai/default-model": AI,
  "POST /api/ai/chat": AI,
  "GET /api/ai/conversations": AI,
  "GET /api/ai/conversations/:id": AI,
  "PATCH /api/ai/conversations/:id": AI,
  "DELETE /api/ai/conversations/:id": AI,
  "GET /api/ai/cloud": AI,
  "POST /api/ai/cloud": AI,
  "DELETE /api/ai/cloud/:name": AI,
  "GET /api/ai/ollama": AI_MODELS,
  "PUT /api/ai/ollama": AI_MODELS,
  "POST /api/ai/models/pull": AI_MODELS,
  "POST /api/ai/models/delete": AI_MODELS,
  "GET /ollama/api/version": AI,
  "GET /ollama/api/tags": AI,
  "POST /ollama/api/show": AI,
  "POST /ollama/api/chat": AI,
  "POST /ollama/api/generate": AI,
  "POST /drivers/call": AI,
  "GET /api/network/status": MEMBER_ANY,
  "GET /api/network/lookup/:nodeId": MEMBER_ANY,
  "PUT /api/network/settings": ADMINS,
  "GET /api/network/name": MEMBER_ANY,
  "GET /api/network/name/available": MEMBER_ANY,
  /** The node's public name is the Owner's to give or take back. */
  "PUT /api/network/name": OWNER_ADMIN,
  "DELETE /api/network/name": OWNER_ADMIN,
  /** The certificate's fingerprint is for anyone signed in to check. */
  "GET /api/tls": MEMBER_ANY,
  /** Which certificate the node serves is the Owner's to choose. */
  "PUT /api/tls": OWNER_ADMIN,
  /** The ACME CA's HTTP-01 check: it signs in as nobody. */
  "GET /.well-known/acme-challenge/:token": PUBLIC,
  /** Backups hold everyone's files: the Owner's alone. */
  "GET /api/backup": OWNER_SESSION,
  "POST /api/backup/run": OWNER_SESSION,
  "GET /api/backup/download": OWNER_SESSION,
  "GET /api/backup/sets": OWNER_SESSION,
  "GET /api/backup/sets/:name/files": OWNER_SESSION,
  "POST /api/backup/sets/:name/restore": OWNER_SESSION,
  /** Updates: what runs and what is published, the Owner's (a session or an admin token). */
  "GET /api/update": OWNER_ADMIN,
  "POST /api/update/check": OWNER_ADMIN,
  /** Installing a release or going back restarts the node: the Owner's (a session or an admin token), audited. */
  "POST /api/update/apply": OWNER_ADMIN,
  "POST /api/update/rollback": OWNER_ADMIN,
  /** Friends' nodes that may keep their backups here, and how much: the Owner's. */
  "GET /api/backup/guests": OWNER_SESSION,
  "PUT /api/backup/guests/:nodeId": OWNER_SESSION,
  "DELETE /api/backup/guests/:nodeId": OWNER_SESSION,
  /** A friend's node keeping its backups here: no session, every request signed by its node key (checked in the route). */
  "GET /api/backup/peer/usage": PUBLIC,
  "GET /api/backup/peer/chunks": PUBLIC,
  "GET /api/backup/peer/chunks/:id": PUBLIC,
  "PUT /api/backup/peer/chunks/:id": PUBLIC,
  "DELETE /api/backup/peer/chunks/:id": PUBLIC,
  "GET /api/backup/peer/sets": PUBLIC,
  "GET /api/backup/peer/sets/:name": PUBLIC,
  "PUT /api/backup/peer/sets/:name": PUBLIC,
  "DELETE /api/backup/peer/sets/:name": PUBLIC,
  "POST /api/backup/peer/sweep": PUBLIC,
  "GET /api/terminal/settings": OWNER_ADMIN,
  "PUT /api/terminal/settings": OWNER_SESSION,
  /** Published content is public; private content only for its owner (checked in the route). */
  "GET /ipfs/:cid": PUBLIC,
};

export const WS_ACCESS: Record<string, Access> = {
  "rpc.subscribe": MEMBER_ANY,
  "rpc.unsubscribe": MEMBER_ANY,
  "rpc.cancel": MEMBER_ANY,
  "rpc.methods": MEMBER_ANY,
  "system.info": MEMBER_ANY,
  "system.health": MEMBER_ANY,
  "system.ping": MEMBER_ANY,
  "wasm.run": WASM,
  "network.status": MEMBER_ANY,
  "network.lookup": MEMBER_ANY,
  "ai.chat": AI,
  // The terminal: Owner only by default; the service also lets Admins in when the Owner allows it.
  "terminal.open": TERMINAL,
  "terminal.attach": TERMINAL,
  "terminal.input": TERMINAL,
  "terminal.resize": TERMINAL,
  "terminal.close": TERMINAL,
  "terminal.list": TERMINAL,
};

/** Topics a connection may subscribe to, with the least role. */
export const WS_TOPIC_ACCESS: Record<string, Access> = {
  node: MEMBER_ANY,
  /** item.added / removed / moved / updated / renamed: only the owning wallet's own changes. */
  files: FILES_READ,
  /** function.log: the lines of the subscriber's own functions' logs (their deployers: Admins and the Owner). */
  functions: FUNCTIONS,
  /** network.status whenever the node's place on the Boson network changes. */
  network: MEMBER_ANY,
};
