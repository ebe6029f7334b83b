#!/usr/bin/env bun
// Entry point when running from source: `bun server/main.ts [command]`. The binary has its own generated entry.
import { runCli } from "./cli.ts";
import { runWasiChild } from "../workers/wasi-runner.ts";
import { runFunctionHost } from "../workers/function-host.ts";

// The same program doubles as the WASM sandbox's child process and an edge function's.
if (process.env.PC2_WASI_CHILD === "1") await runWasiChild();
else if (process.env.PC2_FN_CHILD === "1") await runFunctionHost();
else await runCli(process.argv.slice(2));
