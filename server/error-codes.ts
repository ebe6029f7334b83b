// Every error code a client can see, in one place: its HTTP status and a default message. Clients
// switch on the code. AppError takes only these codes (the type checker refuses any other), a test
// checks each thrown status against this table, and docs/http-api.md lists them all.

export interface ErrorSpec {
  status: number;
  message: string;
}

export const ERROR_CODES = {
  // ---- requests in general
  bad_request: { status: 400, message: "The request is not valid" },
  invalid_request: { status: 400, message: "A field is missing or has the wrong type or value" },
  invalid_json: { status: 400, message: "The request body is not valid JSON" },
  json_too_deep: { status: 400, message: "The JSON is nested too deeply" },
  invalid_multipart: { status: 400, message: "The multipart body is malformed" },
  client_aborted: { status: 400, message: "The client went away before the body was complete" },
  not_found: { status: 404, message: "Not found" },
  desktop_not_built: { status: 404, message: "The desktop is not built; run `bun run build:web` (npm start does it for you)" },
  conflict: { status: 409, message: "This conflicts with what is there" },
  payload_too_large: { status: 413, message: "The request body is larger than the limit" },
  unsupported_media_type: { status: 415, message: "This Content-Type is not accepted here" },
  unknown_host: { status: 421, message: "This node does not answer to that host name" },
  upgrade_required: { status: 426, message: "This endpoint speaks WebSocket only" },
  too_many_requests: { status: 429, message: "Too many requests; try again later" },
  internal_error: { status: 500, message: "Internal server error" },
  service_unavailable: { status: 503, message: "The service is not available" },
  node_stopping: { status: 503, message: "The node is stopping" },

  // ---- sign-in, sessions, access
  token_missing: { status: 401, message: "Authentication required" },
  token_auth_failed: { status: 401, message: "The session or token is not valid (it may have expired or been revoked)" },
  invalid_nonce: { status: 401, message: "This sign-in request is unknown or was already used; start again" },
  message_mismatch: { status: 401, message: "The signed message is not the one this node issued" },
  challenge_expired: { status: 401, message: "The sign-in request expired; start again" },
  domain_mismatch: { status: 401, message: "The message was issued for another host" },
  invalid_signature: { status: 401, message: "The signature is not valid" },
  invalid_address: { status: 400, message: "The address is not a valid Ethereum address" },
  invalid_host: { status: 403, message: "The Host header is missing or malformed" },
  not_invited: { status: 403, message: "This wallet has not been invited to this node; ask its owner" },
  setup_code_required: { status: 403, message: "This node has no owner yet: enter the setup code shown when the node started" },
  invalid_setup_code: { status: 403, message: "That setup code is not right" },
  already_claimed: { status: 409, message: "Someone else claimed this node a moment ago" },
  forbidden: { status: 403, message: "You are not allowed to do this" },
  insufficient_role: { status: 403, message: "Your role does not allow this" },
  insufficient_scope: { status: 403, message: "This token does not have the scope this needs" },
  session_required: { status: 403, message: "API tokens cannot do this; sign in with your wallet" },
  no_access_rule: { status: 403, message: "No access rule is defined for this" },
  csrf_origin_missing: { status: 403, message: "A cookie-authenticated change must send an Origin header" },
  csrf_origin_mismatch: { status: 403, message: "This request came from another site" },
  origin_mismatch: { status: 403, message: "Cross-origin WebSocket connections are refused" },
  scope_exceeds_role: { status: 403, message: "A token cannot have scopes beyond its creator's role" },
  owner_immutable: { status: 403, message: "The Owner's role cannot be changed" },
  session_not_found: { status: 404, message: "No such session" },
  token_not_found: { status: 404, message: "No such token" },
  user_not_found: { status: 404, message: "No such user" },
  user_exists: { status: 409, message: "This wallet is already a user of this node" },

  // ---- identity
  invalid_recovery_phrase: { status: 400, message: "That is not a valid 12-word recovery phrase" },
  phrase_mismatch: { status: 400, message: "A word is not right; check what you wrote down" },
  phrase_erased: { status: 404, message: "The recovery phrase was already confirmed and erased from this node" },
  identity_exists: { status: 409, message: "This node already has another identity" },

  // ---- files
  access_denied: { status: 403, message: "Only your own files are reachable" },
  immutable: { status: 403, message: "This is a system folder and cannot be changed" },
  not_shared: { status: 403, message: "This content is not shared" },
  invalid_cid: { status: 400, message: "That is not a CID" },
  invalid_path: { status: 400, message: "That is not a valid path" },
  path_too_long: { status: 400, message: "The path is longer than 4096 bytes" },
  invalid_file_name: { status: 400, message: "That is not a valid file or folder name" },
  name_too_long: { status: 400, message: "A name is at most 255 bytes" },
  in_trash: { status: 400, message: "Items in the Trash cannot be shared; restore it first" },
  not_in_trash: { status: 400, message: "Only items directly in the Trash can be restored" },
  is_a_directory: { status: 400, message: "This is a folder; choose files" },
  dest_is_not_a_directory: { status: 400, message: "The target is a file, not a folder" },
  dest_does_not_exist: { status: 404, message: "The folder does not exist" },
  cannot_read_a_directory: { status: 400, message: "This is a folder; list it instead" },
  cannot_write_to_root: { status: 400, message: "Choose a file name inside a folder" },
  cannot_share_a_directory: { status: 400, message: "Share files one by one; folders have no CID here" },
  cannot_copy_directory_into_itself: { status: 400, message: "A folder cannot be copied into itself" },
  cannot_move_directory_into_itself: { status: 400, message: "A folder cannot be moved into itself" },
  cannot_overwrite_a_directory: { status: 409, message: "A folder with this name exists" },
  item_with_same_name_exists: { status: 409, message: "An item with this name exists" },
  invalid_batch: { status: 400, message: "The batch is malformed" },
  missing_file: { status: 400, message: "No file was sent for this write" },
  size_mismatch: { status: 400, message: "The bytes received differ from the size declared" },
  offset_mismatch: { status: 409, message: "This upload continues at another byte" },
  upload_incomplete: { status: 409, message: "Not every byte of this upload has arrived" },
  upload_interrupted: { status: 400, message: "The chunk was cut short; resume from the recorded offset" },
  upload_not_found: { status: 404, message: "No such upload (it may have expired)" },
  too_many_uploads: { status: 429, message: "Too many unfinished uploads; finish or cancel one" },
  storage_quota_exceeded: { status: 413, message: "This would go over your storage quota" },
  range_not_satisfiable: { status: 416, message: "The requested range is outside the file" },
  zip_too_large: { status: 413, message: "This folder is too large to download as one zip (4 GiB at most); download its parts" },
  insufficient_storage: { status: 507, message: "The node's disk is full" },

  // ---- WebDAV
  method_not_allowed: { status: 405, message: "This method is not allowed on this resource" },
  dav_parent_missing: { status: 409, message: "The folder this would go in does not exist" },
  dav_precondition_failed: { status: 412, message: "A precondition (If, Overwrite) does not hold" },
  dav_locked: { status: 423, message: "The resource is locked" },
  dav_lock_token_mismatch: { status: 409, message: "That lock token does not lock this resource" },
  dav_destination_elsewhere: { status: 502, message: "The Destination is not this node's WebDAV" },

  // ---- WebSocket
  method_not_found: { status: 404, message: "No such method" },
  unknown_topic: { status: 400, message: "No such topic" },
  too_many_subscriptions: { status: 400, message: "Too many subscriptions on this connection" },
  too_many_connections: { status: 429, message: "Too many open connections for this wallet" },
  connection_closed: { status: 410, message: "The connection is closed" },
  websocket_upgrade_failed: { status: 400, message: "The WebSocket handshake failed" },

  // ---- terminal
  terminal_owner_only: { status: 403, message: "The terminal is for the node's Owner (the Owner can allow Admins in Settings)" },
  terminal_not_found: { status: 404, message: "No such terminal" },
  too_many_terminals: { status: 429, message: "Too many terminals are open" },

  // ---- WASM
  invalid_wasm_module: { status: 400, message: "This is not a valid WebAssembly module" },
  forbidden_import: { status: 400, message: "The module imports something other than WASI" },
  memory_limit_exceeded: { status: 400, message: "The module needs more memory at start than the limit" },
  wasm_not_a_command: { status: 400, message: "The module exports no _start function (a library, not a command)" },
  wasm_module_too_large: { status: 413, message: "The module is larger than the limit" },
  wasm_input_too_large: { status: 413, message: "The input files are larger than the limit" },
  wasm_app_not_found: { status: 404, message: "No such app" },
  wasm_app_exists: { status: 409, message: "An app with this name exists" },
  wasm_app_name_mismatch: { status: 409, message: "The manifest's name differs from the app being updated; remove and install to rename" },
  wasm_busy: { status: 503, message: "Too many WASM runs are waiting; try again shortly" },
  wasm_unavailable: { status: 503, message: "WASM apps are not running on this node" },
  wasm_sandbox_failed: { status: 503, message: "The WASM sandbox could not start; try again shortly" },

  // ---- edge functions
  function_not_found: { status: 404, message: "No such function" },
  deployment_not_found: { status: 404, message: "No such deployment of this function" },
  function_build_failed: { status: 400, message: "The function could not be built" },
  function_import_refused: { status: 400, message: "The function imports something a PC2 function cannot use" },
  function_entry_missing: { status: 400, message: "The function has no entry module (main.ts, main.js, index.ts, index.js or mod.ts)" },
  function_too_large: { status: 413, message: "The function's files are larger than the limit" },
  function_body_too_large: { status: 413, message: "The request body is larger than the function's limit" },
  invalid_limit: { status: 400, message: "A function's limit is out of range" },
  function_disabled: { status: 503, message: "This function is disabled" },
  function_failed_to_start: { status: 502, message: "The function failed to start" },
  function_crashed: { status: 502, message: "The function's process ended while answering" },
  function_timeout: { status: 504, message: "The function took longer than its time limit" },
  function_busy: { status: 503, message: "The function is answering as many requests as it may; try again shortly" },
  functions_unavailable: { status: 503, message: "Functions cannot run on this node" },
  host_not_allowed: { status: 403, message: "The function may not connect to this host" },
  function_subdomain_taken: { status: 409, message: "Another function on this node has this subdomain" },
  functions_domain_not_set: { status: 400, message: "This node has no domain for functions (PC2_FUNCTIONS_DOMAIN)" },

  // ---- AI
  model_not_found: { status: 404, message: "No such model" },
  conversation_not_found: { status: 404, message: "No such conversation" },
  connection_not_found: { status: 404, message: "No such cloud connection" },
  interface_not_found: { status: 404, message: "No such driver interface" },
  attachment_not_text: { status: 415, message: "An attachment is not a text file" },
  attachment_too_large: { status: 413, message: "The attachments are larger than the limit" },
  model_load_failed: { status: 500, message: "The model could not be loaded" },
  ai_generation_failed: { status: 500, message: "The generation failed" },
  ai_busy: { status: 503, message: "The AI engine is busy; try again shortly" },
  ai_engine_unavailable: { status: 503, message: "The built-in AI engine could not start" },
  provider_auth_failed: { status: 502, message: "The provider refused the credentials" },
  provider_error: { status: 502, message: "The provider answered with an error" },
  provider_unavailable: { status: 502, message: "The provider is not reachable" },

  // ---- Boson network
  invalid_node_id: { status: 400, message: "That is not a Node ID (Base58, 0x-hex or did:boson:)" },
  network_off: { status: 409, message: "Networking is off on this node; the Owner or an Admin can turn it on in Settings › Network" },
  no_gateway: { status: 409, message: "No name gateway is configured (network.gateway.url)" },
  gateway_unreachable: { status: 502, message: "The name gateway did not answer" },
  invalid_name: { status: 400, message: "A name has 3 to 30 characters: letters, digits, '-' and '_', starting with a letter or digit" },
  name_taken: { status: 409, message: "Another node holds this name" },
  not_name_owner: { status: 403, message: "This node does not hold this name" },
  not_relayed: { status: 409, message: "The node has no Active Proxy session on this super node; names route only to relayed nodes" },
  invalid_claim: { status: 400, message: "The name claim is malformed" },
  claim_expired: { status: 401, message: "The name claim's timestamp is too far from the gateway's clock" },
  claim_replayed: { status: 401, message: "This name claim was used already" },

  // ---- backups
  backup_running: { status: 409, message: "A backup is already running" },
  invalid_backup_folder: { status: 400, message: "The backup folder must be an absolute path on this machine" },
  invalid_backup_destination: { status: 400, message: "Give one destination: a folder on this machine, or the Node ID of a friend's node" },
  peer_auth_failed: { status: 401, message: "This is not a valid signed request from a PC2 node" },
  backup_guest_unknown: { status: 403, message: "This node's owner has not given your node a backup allowance here" },
  backup_guest_not_found: { status: 404, message: "This node keeps no backups for that Node ID" },
  backup_allowance_exceeded: { status: 507, message: "This would go over the backup allowance this node's owner gave you" },
  backup_no_destination: { status: 409, message: "No backup destination is chosen yet: back up once first" },
  backup_set_not_found: { status: 404, message: "There is no such backup set at the chosen destination" },
  backup_damaged: { status: 422, message: "The backup set is damaged, or cannot be opened with this node's key" },
  backup_peer_unreachable: { status: 502, message: "The friend's node could not be reached through the Boson network" },

  // ---- updates
  update_not_installed: {
    status: 409,
    message: "This node does not run as an installed release (pc2 service install): a source checkout updates with git and npm, a loose binary by replacing it",
  },
  update_not_available: { status: 409, message: "No newer signed release is available to install" },
  update_running: { status: 409, message: "An update or rollback is already under way" },
  update_no_backup: { status: 409, message: "Choose a backup destination first (Settings › Backups): PC2 backs up before every update" },
  update_no_previous: { status: 409, message: "There is no earlier release on this node to roll back to" },
  update_rollback_loses_data: { status: 409, message: "Rolling back restores the database as it was before the update; confirm to lose the changes made since" },

  // ---- TLS
  tls_not_choosable: { status: 409, message: "The operator set TLS in the node's configuration (off, or their own certificate files); Settings cannot change it" },

  // ---- outbound requests
  private_address_refused: { status: 403, message: "That address may not be reached from the node on your behalf" },
  unsupported_url: { status: 400, message: "Only http and https URLs without credentials can be fetched" },
  host_not_found: { status: 502, message: "The host could not be resolved" },
  redirect_refused: { status: 502, message: "The server answered with a redirect that is not followed" },
  too_many_redirects: { status: 502, message: "The server redirected too many times" },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
