#!/usr/bin/env bun
// Entry point when running from source: `bun server/main.ts [command]`. The binary has its own generated entry.
import { runCli } from "./cli.ts";
import { runWasiChild } from "../workers/wasi-runner.ts";

// The same program doubles as the WASM sandbox's child process.
if (process.env.PC2_WASI_CHILD === "1") await runWasiChild();
else await runCli(process.argv.slice(2));
