// `pc2 fn deploy <dir>`: a folder deployed with an API token of the functions:deploy scope (from
// PC2_TOKEN, never the command line); a token without the scope, or none, deploys nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, mintToken, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
const folder = makeTempDir("pc2-fn-folder-");

const token = (scopes: string[]) => mintToken(httpFetcher(t.url), owner, scopes, "deploy");

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  mkdirSync(join(folder.path, "lib"));
  mkdirSync(join(folder.path, "node_modules"));
  writeFileSync(
    join(folder.path, "main.ts"),
    `import { greet } from "./lib/greet.ts";\nexport default { fetch: (req: Request) => new Response(greet(new URL(req.url).searchParams.get("n") ?? "you")) };\n`,
  );
  writeFileSync(join(folder.path, "lib", "greet.ts"), "export const greet = (n: string): string => `hello ${n}`;\n");
  writeFileSync(join(folder.path, ".env"), "SECRET=never-sent");
  writeFileSync(join(folder.path, "node_modules", "x.js"), "not sent");
});
afterAll(async () => {
  await t.stop();
  folder.remove();
});

test("deploys a folder with a token from PC2_TOKEN; the function answers at the printed URL", async () => {
  const run = await runCli(["fn", "deploy", folder.path, "--name=greeter", "--public", `--url=${t.url}`], { PC2_TOKEN: await token(["functions:deploy"]), PC2_DATA_DIR: folder.path });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  // main.ts and lib/greet.ts; not .env, not node_modules.
  expect(run.stdout).toContain("(2 files)");
  const url = /: (http\S+)$/m.exec(run.stdout)![1]!;
  expect(url).toBe(`${t.url}/fn/${owner.address}/greeter/`);
  expect(await (await fetch(`${url}?n=cli`)).text()).toBe("hello cli");
  const fn = (await (await fetch(`${t.url}/api/functions/greeter`, { headers: owner.bearer })).json()) as { function: { deployments: { entry: string }[] } };
  expect(fn.function.deployments[0]!.entry).toBe("main.ts");
});

test("no token, or a token without the scope: nothing is deployed, and the message says why", async () => {
  const none = await runCli(["fn", "deploy", folder.path, "--name=nope", `--url=${t.url}`], { PC2_DATA_DIR: folder.path });
  expect(none.code).toBe(1);
  expect(none.stderr).toContain("PC2_TOKEN");
  const weak = await runCli(["fn", "deploy", folder.path, "--name=nope", `--url=${t.url}`], { PC2_TOKEN: await token(["files:read"]), PC2_DATA_DIR: folder.path });
  expect(weak.code).toBe(1);
  expect(weak.stderr).toContain("Not deployed");
  expect((await fetch(`${t.url}/api/functions/nope`, { headers: owner.bearer })).status).toBe(404);
});
