// The desktop keeps one WebSocket connection per tab, shared by every app (it used to open one per app).
import { Wallet } from "ethers";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;

test.beforeAll(async () => {
  node = await startNode();
  await claimViaApi(node.url, owner);
});
test.afterAll(async () => node.stop());

test("Files, Terminal, AI Chat and WASM Apps share one connection", async ({ page }) => {
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await signInThroughUi(page, node.url, owner);
  for (const app of ["Files", "Terminal", "AI Chat", "WASM Apps"]) await page.getByRole("button", { name: `Open ${app}` }).click();
  await expect(page.getByTestId("terminal")).toBeVisible();
  await expect(page.locator("pc2-terminal-app .xterm")).toBeVisible();
  // A run streams its output over the same connection.
  await page.getByRole("navigation", { name: "WASM apps" }).getByRole("button", { name: /calc/ }).click();
  await page.getByLabel("Expression *").fill("6*7");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("wasm-output")).toHaveText("42\n");
  expect(sockets).toHaveLength(1);
});
