// First-run setup claims the node; every sign-in failure gets its own clear screen.
import { Wallet } from "ethers";
import { claimViaApi, expect, injectWallet, invite, SETUP_CODE, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

test.describe
  .serial("first run and sign-in", () => {
    let node: RunningNode;
    const owner = Wallet.createRandom() as unknown as Wallet;
    test.beforeAll(async () => {
      node = await startNode();
    });
    test.afterAll(async () => node.stop());

    test("a wrong setup code is refused with a clear message", async ({ page }) => {
      await injectWallet(page, owner);
      await page.goto(node.url);
      await page.getByLabel("Setup code").fill("not-the-code");
      await page.getByRole("button", { name: "Connect wallet and claim" }).click();
      await expect(page.getByTestId("wizard-error")).toContainText("setup code is not right");
    });

    test("setup: code + wallet → Owner, the phrase (again after a reload), three words back, the identity, the desktop", async ({ page }, info) => {
      const calls = await injectWallet(page, owner);
      const console: string[] = [];
      page.on("console", (m) => console.push(m.text()));
      await page.goto(node.url);
      await page.getByLabel("Setup code").fill(SETUP_CODE);
      await page.getByRole("button", { name: "Connect wallet and claim" }).click();

      const phrase = page.getByTestId("phrase");
      await expect(phrase.locator("li")).toHaveCount(12);
      const words = await phrase.locator("li").allTextContents();
      await page.screenshot({ path: info.outputPath("setup-phrase.png") });
      // A reload before the words are confirmed does not lose them: the Owner is brought back to them.
      await page.reload();
      await expect(phrase.locator("li")).toHaveCount(12);
      expect(await phrase.locator("li").allTextContents()).toEqual(words);
      await page.getByRole("button", { name: "I wrote them down" }).click();

      const inputs = page.locator("input[data-index]");
      await expect(inputs).toHaveCount(3);
      for (const input of await inputs.all()) {
        const index = Number(await input.getAttribute("data-index"));
        await input.fill(words[index - 1]!);
      }
      await page.getByRole("button", { name: "Confirm" }).click();
      await expect(page.getByTestId("node-id")).toHaveText(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
      // The wizard asks whether to join the Boson network; off unless ticked.
      await expect(page.getByTestId("join-network")).not.toBeChecked();
      await page.getByTestId("join-network").check();
      await page.getByRole("button", { name: "Open the desktop" }).click();
      await expect(page.getByRole("navigation", { name: "Taskbar" })).toContainText("owner");
      expect(calls).toContain("personal_sign");
      // The production build of Lit: no development-mode warning in the console.
      expect(console.filter((line) => /dev mode/i.test(line))).toEqual([]);

      // The node really erased the phrase, and the wallet really is the Owner.
      const token = await claimViaApi(node.url, owner);
      const phraseAfter = await fetch(`${node.url}/api/identity/phrase`, { headers: { authorization: `Bearer ${token}` } });
      expect(phraseAfter.status).toBe(404);
      expect((await phraseAfter.json()).code).toBe("phrase_erased");
      const who = await (await fetch(`${node.url}/whoami`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(who.role).toBe("owner");
      const network = await (await fetch(`${node.url}/api/network/status`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(network).toMatchObject({ enabled: true, state: "alone" });
    });

    test("on a 390 px phone the account and Sign out stay on screen and work", async ({ browser }, info) => {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await signInThroughUi(page, node.url, owner);
      const taskbar = page.getByRole("navigation", { name: "Taskbar" });
      const account = taskbar.getByTestId("account");
      await expect(account).toContainText("owner");
      const box = (await account.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      const navBox = (await taskbar.boundingBox())!;
      expect(navBox.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: info.outputPath("phone-taskbar.png") });
      await account.click();
      await page.getByRole("dialog", { name: "Account" }).getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("button", { name: "Connect wallet" })).toBeVisible();
      await page.close();
    });

    test("sign-in: an invited member lands on the desktop", async ({ page }) => {
      const member = Wallet.createRandom() as unknown as Wallet;
      await invite(node.url, await claimViaApi(node.url, owner), member.address, "member");
      await signInThroughUi(page, node.url, member);
      await expect(page.getByRole("navigation", { name: "Taskbar" })).toContainText("member");
    });

    test("failure screens: no wallet, request rejected, wallet not invited, wrong account, node unreachable", async ({ browser }, info) => {
      // No wallet at all.
      let page = await browser.newPage();
      await page.goto(node.url);
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.locator('[data-screen="no-wallet"]')).toContainText("No wallet found");
      await page.screenshot({ path: info.outputPath("sign-in-no-wallet.png") });
      await page.close();

      // The user rejects the connection (EIP-1193 code 4001).
      page = await browser.newPage();
      await injectWallet(page, Wallet.createRandom() as unknown as Wallet, { reject: "accounts" });
      await page.goto(node.url);
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.locator('[data-screen="rejected"]')).toContainText("Request cancelled");
      await page.close();

      // A wallet nobody invited: the visitor is shown their own address to send to the Owner.
      page = await browser.newPage();
      const stranger = Wallet.createRandom() as unknown as Wallet;
      await injectWallet(page, stranger);
      await page.goto(node.url);
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.locator('[data-screen="not-invited"]')).toContainText("isn't invited");
      await expect(page.getByTestId("visitor-address")).toHaveText(stranger.address.toLowerCase());
      await expect(page.getByRole("button", { name: "Copy address" })).toBeVisible();
      await page.screenshot({ path: info.outputPath("sign-in-not-invited.png") });
      await page.close();

      // The wallet connected one account but signed with another.
      page = await browser.newPage();
      await injectWallet(page, owner, { signWith: Wallet.createRandom() as unknown as Wallet });
      await page.goto(node.url);
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.locator('[data-screen="wrong-account"]')).toContainText("Wrong account");
      await page.close();

      // The node goes away between loading the page and signing in.
      page = await browser.newPage();
      await injectWallet(page, owner);
      await page.goto(node.url);
      await page.route("**/api/auth/challenge", (route) => route.abort("connectionrefused"));
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.locator('[data-screen="unreachable"]')).toContainText("Can't reach your PC2");
      await page.close();
    });
  });
