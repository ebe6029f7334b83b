// The terminal in the desktop: type into xterm, read the output; a reload reattaches to the same shell.
import { Wallet } from "ethers";
import { claimViaApi, expect, invite, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;

test.describe
  .serial("terminal", () => {
    test.beforeAll(async () => {
      // /bin/sh: the test must not depend on the machine's ~/.bashrc.
      node = await startNode({ PC2_TERMINAL_SHELL: "/bin/sh" });
      await claimViaApi(node.url, owner);
    });
    test.afterAll(async () => node.stop());

    test("type into xterm and read the output; after a reload the same shell comes back", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Terminal" }).click();
      const term = page.getByTestId("terminal");
      await expect(term.locator(".xterm-rows")).toBeVisible();
      await expect(term.locator(".xterm-rows")).toContainText("#"); // the prompt
      await term.click();
      await page.keyboard.type("X=from-before; echo hi-from-$((40+2))");
      await page.keyboard.press("Enter");
      await expect(term.locator(".xterm-rows")).toContainText("hi-from-42");
      await page.screenshot({ path: info.outputPath("terminal.png") });

      // A reload brings the window back (the desktop remembers it) and the same shell in it.
      await page.reload();
      await expect(term).toHaveCount(1);
      await expect(term.locator(".xterm-rows")).toContainText("hi-from-42"); // the history came back
      await term.click();
      await page.keyboard.type("echo still-$X");
      await page.keyboard.press("Enter");
      await expect(term.locator(".xterm-rows")).toContainText("still-from-before"); // same shell, same variables
    });

    test("keys typed before the shell is ready are not lost", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Terminal" }).click();
      const term = page.getByTestId("terminal");
      await term.locator(".xterm-helper-textarea").focus();
      await page.keyboard.type("echo early-$((3*3))");
      await page.keyboard.press("Enter");
      await expect(term.locator(".xterm-rows")).toContainText("early-9");
      // The desktop's shortcuts pass through the terminal: Ctrl+Alt+S opens Settings from inside it.
      await term.locator(".xterm-helper-textarea").focus();
      await page.keyboard.press("Control+Alt+s");
      await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();
    });

    test("members do not see the Terminal app", async ({ page }) => {
      const member = Wallet.createRandom() as unknown as Wallet;
      await invite(node.url, await claimViaApi(node.url, owner), member.address, "member");
      await signInThroughUi(page, node.url, member);
      await expect(page.getByRole("button", { name: "Open Terminal" })).toHaveCount(0);
    });
  });
