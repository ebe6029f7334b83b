// `pc2 remote <url> …`: a node's files, WASM apps, AI and functions from a shell, through the typed
// client. The token comes from PC2_TOKEN (preferred: a command line is readable by other users of
// the machine) or --token=…; transfers show progress on a terminal.
import { basename } from "node:path";
import { formatBytes } from "../server/format-bytes.ts";
import { Pc2ApiError, Pc2Client } from "./pc2-client.ts";
import { progressBar } from "./progress.ts";

export const REMOTE_USAGE = `pc2 remote <url> [--token=…] <command>   (or the token in PC2_TOKEN)
  files ls <path>                    list a folder ("~/Documents")
  files put <local> <remote>         upload a file (remote: a path, or a folder ending in /)
  files get <remote> <local>         download a file
  files mkdir <path>                 make a folder (and the folders above it)
  files rm <path>                    move to the Trash
  wasm run <app> [args…]             run a WASM app; its output streams here (stdin is passed on when piped)
  ai chat [--model=<id>] <message>   ask the node's AI; the reply streams here
  fn deploy <dir> --name=<name> [--public]   deploy a folder as an edge function`;

export class RemoteUsageError extends Error {}

function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const [arg] = args.splice(i, 1);
  return arg!.includes("=") ? arg!.slice(arg!.indexOf("=") + 1) : "true";
}

const size = (n: number | null) => (n === null ? "" : formatBytes(n));

/** Runs one remote command; returns the exit code (0 ok, 1 refused by the node, 2 usage). */
export async function runRemote(argv: string[], env: Record<string, string | undefined>, io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const args = [...argv];
  const token = flag(args, "token") ?? env.PC2_TOKEN;
  const [url, area, command, ...rest] = args;
  if (!url || !area || !command) throw new RemoteUsageError(REMOTE_USAGE);
  if (!token) throw new RemoteUsageError("Set PC2_TOKEN to an API token (Settings › API tokens), or pass --token=…");
  const client = new Pc2Client(url, token);
  try {
    switch (`${area} ${command}`) {
      case "files ls": {
        for (const e of await client.files.list(rest[0] ?? "~")) io.out.write(`${e.is_dir ? "d" : "-"} ${size(e.size).padStart(10)}  ${new Date(e.modified * 1000).toISOString().slice(0, 16).replace("T", " ")}  ${e.name}${e.is_dir ? "/" : ""}\n`);
        return 0;
      }
      case "files put": {
        const [local, remoteArg] = rest;
        if (!local || !remoteArg) throw new RemoteUsageError("files put <local> <remote>");
        const remote = remoteArg.endsWith("/") ? `${remoteArg}${basename(local)}` : remoteArg;
        const bar = progressBar(`↑ ${basename(local)}`, Bun.file(local).size, io.err);
        await client.files.put(local, remote, { onProgress: (done) => bar.update(done) });
        bar.finish(Bun.file(local).size);
        return 0;
      }
      case "files get": {
        const [remote, local] = rest;
        if (!remote || !local) throw new RemoteUsageError("files get <remote> <local>");
        let total: number | null = null;
        const bar = progressBar(`↓ ${basename(remote)}`, null, io.err);
        const n = await client.files.get(remote, local, {
          onProgress: (done, t) => {
            total = t;
            bar.update(done);
          },
        });
        bar.finish(total ?? n);
        return 0;
      }
      case "files mkdir":
        await client.files.mkdir(rest[0] ?? "");
        return 0;
      case "files rm":
        await client.files.remove(rest[0] ?? "");
        return 0;
      case "wasm run": {
        const [app, ...appArgs] = rest;
        if (!app) throw new RemoteUsageError("wasm run <app> [args…]");
        const stdin = process.stdin.isTTY === false && env.PC2_NO_STDIN !== "1" ? await Bun.stdin.text() : undefined;
        const result = await client.wasm.run(app, { args: appArgs, stdin, onOutput: (stream, text) => (stream === "stdout" ? io.out : io.err).write(text) });
        if (result.killed) io.err.write(`Stopped: ${result.killed}\n`);
        if (result.error) io.err.write(`Failed: ${result.error}\n`);
        for (const o of result.outputs) io.err.write(`Saved ${o.path}\n`);
        return result.exitCode === 0 && !result.killed && !result.error ? 0 : 1;
      }
      case "ai chat": {
        const model = flag(rest, "model");
        const message = rest.join(" ");
        if (!message) throw new RemoteUsageError("ai chat [--model=<id>] <message>");
        await client.ai.chat(message, { model, onToken: (t) => io.out.write(t) });
        io.out.write("\n");
        return 0;
      }
      case "fn deploy": {
        const name = flag(rest, "name");
        const isPublic = flag(rest, "public") === "true";
        const [dir] = rest;
        if (!dir || !name) throw new RemoteUsageError("fn deploy <dir> --name=<name> [--public]");
        const deployed = await client.fn.deploy(dir, name, { public: isPublic }).catch((err: unknown) => {
          if (err instanceof Pc2ApiError) err.message = `Not deployed: ${err.message}`;
          throw err;
        });
        io.out.write(`Deployed ${name} (${deployed.fileCount} file${deployed.fileCount === 1 ? "" : "s"}) as ${deployed.current}: ${new URL(deployed.url, client.url)}\n`);
        if (deployed.startError) {
          io.err.write(`It did not start: ${deployed.startError}\n`);
          return 1;
        }
        return 0;
      }
      default:
        throw new RemoteUsageError(REMOTE_USAGE);
    }
  } catch (err) {
    if (err instanceof Pc2ApiError) {
      io.err.write(`${err.message}${err.code ? ` (${err.code})` : ""}\n`);
      return 1;
    }
    if (err instanceof Error && err.name === "RpcError") {
      io.err.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await client.close();
  }
}
