// The desktop over HTTPS with the node's self-signed certificate: the setup wizard and wallet
// sign-in, a secure context (WebCrypto, clipboard), a Secure HttpOnly session cookie, the socket
// over wss://, and Settings showing the fingerprint of the very certificate the node serves.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { expect, injectWallet, SETUP_CODE, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;

test.use({ ignoreHTTPSErrors: true }); // as a user who compared the fingerprint and accepted it
test.beforeAll(async () => {
  node = await startNode({ PC2_TLS_MODE: "self-signed", PC2_TERMINAL_SHELL: "/bin/sh" });
});
test.afterAll(async () => node.stop());

test("setup and sign-in over HTTPS; a secure context, a Secure cookie, wss://, and the fingerprint in Settings", async ({ page, context }, info) => {
  expect(node.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await injectWallet(page, owner);
  await page.goto(node.url);
  await page.getByLabel("Setup code").fill(SETUP_CODE);
  await page.getByRole("button", { name: "Connect wallet and claim" }).click();
  const phrase = page.getByTestId("phrase");
  await expect(phrase.locator("li")).toHaveCount(12);
  const words = await phrase.locator("li").allTextContents();
  await page.getByRole("button", { name: "I wrote them down" }).click();
  for (const input of await page.locator("input[data-index]").all()) await input.fill(words[Number(await input.getAttribute("data-index")) - 1]!);
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("button", { name: "Open the desktop" }).click();
  await expect(page.getByRole("navigation", { name: "Taskbar" })).toContainText("owner");

  expect(await page.evaluate(() => window.isSecureContext && typeof crypto.subtle?.digest === "function")).toBe(true);
  const cookie = (await context.cookies()).find((c) => c.name === "pc2_session")!;
  expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict" });

  // The terminal runs over the desktop's one socket, which is wss://.
  await page.getByRole("button", { name: "Open Terminal" }).click();
  const term = page.getByTestId("terminal");
  await expect(term.locator(".xterm-rows")).toContainText("#");
  await term.click();
  await page.keyboard.type("echo over-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(term.locator(".xterm-rows")).toContainText("over-42");
  expect(sockets).toHaveLength(1);
  expect(sockets[0]).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws/);

  await page.getByRole("button", { name: "Open Settings" }).click();
  const settings = page.locator("pc2-settings-app");
  await settings.getByRole("tab", { name: "Network" }).click();
  const https = settings.locator("pc2-https-settings");
  await expect(https.getByTestId("tls-mode")).toContainText("self-signed certificate");
  await expect(https.getByTestId("tls-mode")).toContainText("This page came over HTTPS.");
  const served = new X509Certificate(readFileSync(`${node.dataDir}/tls/self-signed/cert.pem`, "utf8")).fingerprint256;
  await expect(https.getByTestId("tls-fingerprint")).toHaveText(served);
  // The Owner may switch to a CA's certificate here; the self-signed one is what the node started with.
  const choice = https.getByRole("form", { name: "Certificate" });
  await expect(choice.getByLabel(/self-signed certificate/)).toBeChecked();
  await expect(choice.getByText("Chosen in the node's configuration.")).toBeVisible();
  await choice.getByLabel(/self-signed certificate/).check();
  await choice.getByRole("button", { name: "Save" }).click();
  await expect(https.getByRole("status")).toContainText("The node serves its self-signed certificate");
  await expect(choice.getByText("Chosen here.")).toBeVisible();
  await page.screenshot({ path: info.outputPath("settings-https.png") });
});
