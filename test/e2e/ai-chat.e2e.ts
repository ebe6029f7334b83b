// The AI Chat app: a reply streams from the built-in engine (a generated tiny model), the
// conversation is kept and can be reopened, renamed and deleted, and a file can be attached.
import { join } from "node:path";
import { Wallet } from "ethers";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz.";
let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;

test.describe.serial("AI chat", () => {
  test.beforeAll(async () => {
    node = await startNode({ PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: "", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" });
    makeTinyGguf(join(node.dataDir, "models", "pc2-tiny.gguf"));
    const token = await claimViaApi(node.url, owner);
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
});
