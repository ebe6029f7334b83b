#!/usr/bin/env bun
// Entry point when running from source: `bun server/main.ts [command]`. The binary has its own generated entry.
import { runCli } from "./cli.ts";

await runCli(process.argv.slice(2));
