// The AI Chat app: a reply streams from the built-in engine (a generated tiny model), the
// conversation is kept and can be reopened, renamed and deleted, and a file can be attached.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { Wallet } from "ethers";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz.";
let node: RunningNode;
let token: string;
const owner = Wallet.createRandom() as unknown as Wallet;

/** An OpenAI-compatible stand-in (this test runs in Node) that streams a long reply slowly. */
function slowCloud(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === "/v1/models") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ id: "slow" }] }));
    res.writeHead(200, { "content-type": "text/event-stream" });
    let n = 0;
    const timer = setInterval(() => {
      if (n++ >= 200) return (clearInterval(timer), res.end("data: [DONE]\n\n"));
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: `word${n} ` }, finish_reason: null }] })}\n\n`);
    }, 50);
    res.on("close", () => clearInterval(timer));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`, server })));
}

test.describe
  .serial("AI chat", () => {
    test.beforeAll(async () => {
      node = await startNode({ PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: "", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" });
      makeTinyGguf(join(node.dataDir, "models", "pc2-tiny.gguf"));
      token = await claimViaApi(node.url, owner);
      const fd = new FormData();
      fd.append("path", "~/Documents");
      fd.append("file", new Blob(["meeting at noon\n"]), "notes.txt");
      expect((await fetch(`${node.url}/write`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd })).status).toBe(200);
    });
    test.afterAll(async () => node.stop());

    test("chat with the built-in model, attach a file, reopen, rename and delete the conversation", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open AI Chat" }).click();
      await expect(page.getByLabel("Model")).toHaveValue("local/pc2-tiny");
      await page.getByLabel("Message").fill("Hello there!");
      await page.getByLabel("Message").press("Enter");
      await expect(page.getByTestId("assistant-message")).toHaveText(ALPHABET);
      await expect(page.getByRole("button", { name: "Hello there!", exact: true })).toBeVisible(); // the conversation, titled from the message

      await page.getByRole("button", { name: "Attach files…" }).click();
      await page.getByRole("list", { name: "Files to choose from" }).getByLabel("notes.txt").check();
      await page.getByRole("button", { name: "Use 1 file" }).click();
      await page.getByLabel("Message").fill("What is in my notes?");
      await page.getByRole("button", { name: "Send" }).click();
      await expect(page.getByTestId("assistant-message")).toHaveCount(2);
      await expect(page.getByTestId("assistant-message").nth(1)).toHaveText(ALPHABET);
      await expect(page.getByText("Attached: notes.txt")).toBeVisible();
      await page.screenshot({ path: info.outputPath("ai-chat.png") });

      await page.getByRole("button", { name: "+ New chat" }).click();
      await expect(page.getByTestId("assistant-message")).toHaveCount(0);
      await page.getByRole("button", { name: "Hello there!", exact: true }).click();
      await expect(page.getByTestId("assistant-message")).toHaveCount(2); // reopened from the node

      page.once("dialog", (d) => void d.accept("Greetings"));
      await page.getByRole("button", { name: "Rename Hello there!" }).click();
      await expect(page.getByRole("button", { name: "Greetings", exact: true })).toBeVisible();
      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Delete Greetings" }).click();
      await expect(page.getByRole("button", { name: "Greetings", exact: true })).toHaveCount(0);
    });

    test("Stop ends a long reply and keeps what was written", async ({ page }) => {
      const cloud = await slowCloud();
      try {
        const added = await fetch(`${node.url}/api/ai/cloud`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ name: "slow", baseUrl: cloud.url, apiKey: "sk-test" }),
        });
        expect(added.status).toBe(201);
        await signInThroughUi(page, node.url, owner);
        await page.getByRole("button", { name: "Open AI Chat" }).click();
        await page.getByLabel("Model").selectOption("cloud/slow/slow");
        await page.getByLabel("Message").fill("Tell me a long story");
        await page.getByRole("button", { name: "Send" }).click();
        await expect(page.getByTestId("assistant-message")).toContainText("word3");
        await page.getByRole("button", { name: "Stop" }).click();
        await expect(page.getByTestId("assistant-message")).toContainText("(stopped)");
        const text = await page.getByTestId("assistant-message").textContent();
        expect(text).not.toContain("word200");
        await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
      } finally {
        cloud.server.close();
      }
    });

    test("Settings › AI: add a cloud connection (the key is never shown) and see the Ollama server", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      await page.getByRole("tab", { name: "AI" }).click();
      const form = page.getByRole("form", { name: "Add a cloud connection" });
      await form.getByLabel("Name").fill("acme");
      await form.getByLabel("Base URL").fill("http://127.0.0.1:9/v1");
      await form.getByLabel("API key").fill("sk-very-secret");
      await form.getByRole("button", { name: "Add" }).click();
      await expect(page.getByRole("status")).toHaveText("Connection saved.");
      await expect(page.getByRole("cell", { name: "http://127.0.0.1:9/v1" })).toBeVisible();
      expect(await page.content()).not.toContain("sk-very-secret");
      await expect(page.getByRole("form", { name: "Ollama server" }).getByLabel("URL")).toHaveValue("http://127.0.0.1:9");
    });
  });
