// The Functions app: create a function from a template (its source in ~/Functions/<name>), call it,
// edit main.ts in the editor, deploy again, watch its log live, roll back, set a secret (never shown
// again), make it private; give it a host name of its own and open it there; set limits lower than
// the node's; axe on the app; Members do not get it.
import { Wallet } from "ethers";
import { claimViaApi, editorText, expect, invite, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";
import { axeViolations } from "./screen-checks.ts";

let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;
const member = Wallet.createRandom() as unknown as Wallet;
let fnUrl = "";

test.describe
  .serial("Functions", () => {
    test.beforeAll(async () => {
      // *.localhost is loopback in Chromium: a function's own host name opens for real.
      node = await startNode({ PC2_FUNCTIONS_DOMAIN: "fn.localhost" });
      const token = await claimViaApi(node.url, owner);
      await invite(node.url, token, member.address, "member");
      fnUrl = `${node.url}/fn/${owner.address.toLowerCase()}/hello-api`;
    });
    test.afterAll(async () => node.stop());

    test("create from a template, call it, edit, deploy, see its log live, roll back", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Functions" }).click();
      const app = page.locator("pc2-functions-app");
      // No functions yet: the app starts at the new-function form.
      await app.getByLabel("Name").fill("hello-api");
      await app.getByLabel("Start from").selectOption("api");
      await app.getByLabel("Who may call it").selectOption("public");
      await app.getByRole("button", { name: "Create and deploy" }).click();
      await expect(app.getByRole("heading", { name: /hello-api/ })).toBeVisible();
      await expect(app.getByRole("link", { name: `${fnUrl}/` })).toBeVisible();
      expect(await (await fetch(`${fnUrl}/hello/ada`)).json()).toEqual({ hello: "ada" });
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: info.outputPath("functions.png") });

      // Edit main.ts in the editor: log each request and answer differently.
      await app.getByRole("button", { name: "Edit main.ts" }).click();
      const editor = page.locator("pc2-editor-app");
      const area = editor.getByLabel("Contents of main.ts");
      const code = (await editorText(editor)).replace(
        "if (match) return Response.json({ hello: match.pathname.groups.name });",
        'console.log("served", match?.pathname.groups.name);\n    if (match) return Response.json({ hi: match.pathname.groups.name });',
      );
      expect(code).toContain('console.log("served"');
      await area.fill(code);
      await editor.getByRole("button", { name: "Save" }).click();
      await expect(editor.getByTestId("dirty")).toHaveCount(0);
      await page.locator("pc2-window", { has: editor }).getByRole("button", { name: "Close" }).click();

      await app.getByRole("button", { name: "Deploy ~/Functions/hello-api" }).click();
      await expect(app.getByRole("status")).toHaveText("Deployed");
      expect(await (await fetch(`${fnUrl}/hello/bob`)).json()).toEqual({ hi: "bob" });
      // The log line arrives live.
      await expect(app.getByTestId("function-log")).toContainText("served bob");
      const rows = app.getByRole("table").getByRole("row");
      await expect(rows).toHaveCount(3); // the header and two deployments
      await rows.getByRole("button", { name: "Roll back" }).click();
      await expect(app.getByRole("status")).toContainText("Rolled back");
      expect(await (await fetch(`${fnUrl}/hello/cy`)).json()).toEqual({ hello: "cy" });
    });

    test("an own address: the function answers at its host name, opened from the app", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Functions" }).click();
      const app = page.locator("pc2-functions-app");
      await app.getByLabel("Subdomain").fill("hello");
      await app.getByRole("button", { name: "Save address" }).click();
      await expect(app.getByRole("status")).toContainText("Now also at hello.fn.localhost");
      const own = `http://hello.fn.localhost:${new URL(node.url).port}/`;
      await expect(app.getByRole("link", { name: own })).toBeVisible();
      await page.goto(`${own}hello/eve`);
      expect(JSON.parse((await page.locator("body").textContent()) ?? "")).toEqual({ hello: "eve" });
    });

    test("a secret is set and never shown again; private closes it to visitors", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Functions" }).click();
      const app = page.locator("pc2-functions-app");
      await app.getByLabel("Secret name").fill("API_KEY");
      await app.getByLabel("Secret value").fill("very-secret-value");
      await app.getByRole("button", { name: "Set secret" }).click();
      await expect(app.getByRole("list", { name: "Secrets set" })).toContainText("API_KEY");
      await expect(app.getByLabel("Secret value")).toHaveValue("");
      expect(await page.content()).not.toContain("very-secret-value");

      await app.getByRole("button", { name: "Make private" }).click();
      await expect(app.getByRole("heading", { name: /hello-api/ })).toContainText("Private");
      expect((await fetch(`${fnUrl}/`)).status).toBe(401);
      // The signed-in browser still reaches it (its session cookie, kept from the function).
      const res = await page.request.get(`${fnUrl}/hello/dee`);
      expect(await res.json()).toEqual({ hello: "dee" });
    });

    test("limits lower than the node's: set, refused out of range, and back to the node's", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Functions" }).click();
      const app = page.locator("pc2-functions-app");
      await expect(app.getByLabel("Time per request (ms)")).toHaveValue("30000");
      await app.getByLabel("Memory (MiB)").fill("10");
      await app.getByRole("button", { name: "Save limits" }).click();
      await expect(app.getByRole("alert")).toHaveText("memoryMb must be a whole number from 64 to 128 (the node's limit)");
      await app.getByLabel("Memory (MiB)").fill("128");
      await app.getByLabel("Time per request (ms)").fill("5000");
      await app.getByLabel("Requests at once").fill("2");
      await app.getByRole("button", { name: "Save limits" }).click();
      await expect(app.getByRole("status")).toHaveText("Limits saved: they apply from the next request");
      await expect(app.getByLabel("Time per request (ms)")).toHaveValue("5000");
      const limits = async () => (await (await page.request.get(`${node.url}/api/functions/hello-api`)).json()).function.limits;
      expect(await limits()).toMatchObject({ wallMs: { value: 5000, custom: true }, concurrency: { value: 2, custom: true }, memoryMb: { value: 128, custom: false } });
      await app.getByRole("button", { name: "Use the node's" }).click();
      await expect(app.getByRole("status")).toHaveText("Back to the node's limits");
      expect(await limits()).toMatchObject({ wallMs: { value: 30_000, custom: false }, concurrency: { value: 16, custom: false } });
      await expect(app.getByRole("button", { name: "Use the node's" })).toBeDisabled();
    });

    test("members do not get the app", async ({ page }) => {
      await signInThroughUi(page, node.url, member);
      await expect(page.getByRole("button", { name: "Open Files" })).toBeVisible();
      await expect(page.getByRole("button", { name: "Open Functions" })).toHaveCount(0);
    });
  });
