// The ordered list of schema migrations. Add a file NNNN-name.sql and one line here; never edit an applied one.
import core0001 from "./0001-core.sql" with { type: "text" };
import auth0002 from "./0002-auth.sql" with { type: "text" };
import files0003 from "./0003-files.sql" with { type: "text" };
import uploads0004 from "./0004-uploads.sql" with { type: "text" };
import wasmApps0005 from "./0005-wasm-apps.sql" with { type: "text" };
import ai0006 from "./0006-ai.sql" with { type: "text" };
import gateway0007 from "./0007-gateway.sql" with { type: "text" };
import backupGuests0008 from "./0008-backup-guests.sql" with { type: "text" };
import userNames0009 from "./0009-user-names.sql" with { type: "text" };
import functions0010 from "./0010-functions.sql" with { type: "text" };
import functionLan0011 from "./0011-function-lan.sql" with { type: "text" };
import davProperties0012 from "./0012-dav-properties.sql" with { type: "text" };
import functionSubdomains0013 from "./0013-function-subdomains.sql" with { type: "text" };
import owedPins0014 from "./0014-owed-pins.sql" with { type: "text" };
import functionLogs0015 from "./0015-function-logs.sql" with { type: "text" };
import functionLimits0016 from "./0016-function-limits.sql" with { type: "text" };
import fsUsage0017 from "./0017-fs-usage.sql" with { type: "text" };
import inlineBlobs0018 from "./0018-inline-blobs.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "core", sql: core0001 },
  { version: 2, name: "auth", sql: auth0002 },
  { version: 3, name: "files", sql: files0003 },
  { version: 4, name: "uploads", sql: uploads0004 },
  { version: 5, name: "wasm-apps", sql: wasmApps0005 },
  { version: 6, name: "ai", sql: ai0006 },
  { version: 7, name: "gateway", sql: gateway0007 },
  { version: 8, name: "backup-guests", sql: backupGuests0008 },
  { version: 9, name: "user-names", sql: userNames0009 },
  { version: 10, name: "functions", sql: functions0010 },
  { version: 11, name: "function-lan", sql: functionLan0011 },
  { version: 12, name: "dav-properties", sql: davProperties0012 },
  { version: 13, name: "function-subdomains", sql: functionSubdomains0013 },
  { version: 14, name: "owed-pins", sql: owedPins0014 },
  { version: 15, name: "function-logs", sql: functionLogs0015 },
  { version: 16, name: "function-limits", sql: functionLimits0016 },
  { version: 17, name: "fs-usage", sql: fsUsage0017 },
  { version: 18, name: "inline-blobs", sql: inlineBlobs0018 },
];
