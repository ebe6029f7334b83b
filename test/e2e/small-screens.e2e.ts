// The desktop on a phone (390×844) and a tablet (768×1024), by touch; by keyboard alone on a laptop;
// and axe-core over its screens: no serious or critical accessibility violation.
import { type Page } from "@playwright/test";
import { Wallet } from "ethers";
import { claimViaApi, expect, injectWallet, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";
import { axeViolations, expectFits } from "./screen-checks.ts";

const owner = Wallet.createRandom() as unknown as Wallet;
let node: RunningNode;

/** In the page: whether keyboard focus is on `el` or inside it, through shadow roots. */
function focusIsWithin(el: Element): boolean {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  for (let n: Node | null = active; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) if (n === el) return true;
  return false;
}

/** What has keyboard focus, through shadow roots: its text (or label) and its role. */
async function focused(page: Page): Promise<{ text: string; label: string | null; role: string | null }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return { text: (el?.textContent ?? "").trim(), label: el?.getAttribute("aria-label") ?? null, role: el?.getAttribute("role") ?? el?.tagName.toLowerCase() ?? null };
  });
}

/** Press Tab until `wanted` has focus (at most `max` times). */
async function tabTo(page: Page, wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (wanted(await focused(page))) return;
    await page.keyboard.press("Tab");
  }
  const seen: string[] = [];
  for (let i = 0; i < 25; i++) {
    const f = await focused(page);
    seen.push(`${f.role}:${f.label ?? f.text.slice(0, 20)}`);
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached it; focus went ${seen.join(" → ")}`);
}

test.describe
  .serial("small screens, keyboard and accessibility", () => {
    test.beforeAll(async () => {
      node = await startNode();
      await claimViaApi(node.url, owner);
    });
    test.afterAll(async () => node.stop());

    for (const size of [
      { name: "a phone", width: 390, height: 844 },
      { name: "a tablet", width: 768, height: 1024 },
    ])
      test(`on ${size.name} (${size.width}×${size.height}): a tap opens an app full screen, one at a time; the launcher, the open windows and the account are all in reach`, async ({
        browser,
      }, info) => {
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, hasTouch: true, isMobile: true });
        const page = await context.newPage();
        try {
          await signInThroughUi(page, node.url, owner);
          const bar = page.getByRole("navigation", { name: "Taskbar" });
          await expectFits(page);
          // A single tap on a desktop icon opens it.
          await page.getByRole("list", { name: "Desktop" }).getByRole("button", { name: "Files" }).tap();
          const files = page.getByRole("dialog", { name: "Files" });
          await expect(files).toBeVisible();
          const box = (await files.boundingBox())!;
          expect([box.x, box.y, box.width]).toEqual([0, 0, size.width]);
          await expect(files.getByRole("button", { name: "Maximise" })).toBeHidden();
          // The launcher: Escape closes it and gives focus back; another app replaces the first on the screen; both are in the bar.
          const apps = bar.getByRole("button", { name: "Apps", exact: true });
          await apps.tap();
          await expect(page.getByRole("dialog", { name: "Apps", exact: true })).toBeVisible();
          await page.keyboard.press("Escape");
          await expect(page.getByRole("dialog", { name: "Apps", exact: true })).toHaveCount(0);
          await expect(apps).toBeFocused();
          await apps.tap();
          await page.getByRole("dialog", { name: "Apps", exact: true }).getByRole("button", { name: "Settings" }).tap();
          await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();
          await expect(files).toBeHidden();
          await bar.getByRole("button", { name: "Files" }).tap();
          await expect(files).toBeVisible();
          await expect(page.getByRole("dialog", { name: "Settings" })).toBeHidden();
          await expectFits(page);
          // Every heading of the list fits in its column (none runs past the window's edge).
          const cut = await files.locator("th").evaluateAll((cells) => cells.filter((th) => th.checkVisibility() && th.scrollWidth > th.clientWidth + 1).map((th) => th.textContent?.trim()));
          expect(cut).toEqual([]);
          await page.screenshot({ path: info.outputPath(`${size.width}-files.png`) });
          // Every app opens from the launcher, fits the screen, and is clean under axe.
          for (const app of ["Terminal", "AI Chat", "WASM Apps"]) {
            await bar.getByRole("button", { name: "Apps", exact: true }).tap();
            await page.getByRole("dialog", { name: "Apps", exact: true }).getByRole("button", { name: app }).tap();
            await expect(page.getByRole("dialog", { name: app })).toBeVisible();
            await expectFits(page);
            expect(await axeViolations(page), `${app} at ${size.width}`).toEqual([]);
          }
          // The account: the whole address, copied on request, and Sign out.
          await bar.getByTestId("account").tap();
          const account = page.getByRole("dialog", { name: "Account" });
          await expect(account.getByTestId("account-address")).toHaveText(owner.address.toLowerCase());
          expect(await axeViolations(page)).toEqual([]);
          await page.screenshot({ path: info.outputPath(`${size.width}-account.png`) });
          await account.getByRole("button", { name: "Sign out" }).tap();
          await expect(page.getByRole("button", { name: "Connect wallet" })).toBeVisible();
        } finally {
          await context.close();
        }
      });

    test("by keyboard alone: Enter on an icon opens the app with focus inside it; Tab goes on inside it; closing it gives focus back", async ({ page }) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await signInThroughUi(page, node.url, owner);
      const icon = page.getByRole("list", { name: "Desktop" }).getByRole("button", { name: "Files" });
      await icon.focus();
      await page.keyboard.press("Enter");
      const files = page.getByRole("dialog", { name: "Files" });
      await expect(files).toBeVisible();
      await expect.poll(() => files.evaluate(focusIsWithin)).toBe(true);
      // Tab moves on inside the window (its header's buttons first).
      await page.keyboard.press("Tab");
      await expect(files.getByRole("button", { name: "Minimise" })).toBeFocused();
      await page.keyboard.press("Control+Alt+w");
      await expect(files).toHaveCount(0);
      await expect(icon).toBeFocused();
      // Ctrl+Alt+S opens Settings, which axe finds clean too; its Close button closes it.
      await page.keyboard.press("Control+Alt+s");
      const settings = page.getByRole("dialog", { name: "Settings" });
      await expect(settings).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
      await settings.getByRole("button", { name: "Close" }).click();
      await expect(settings).toHaveCount(0);
    });

    test("axe-core: the sign-in screen and the desktop with each app open have no serious or critical violations", async ({ page }) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(node.url);
      await expect(page.getByRole("button", { name: "Connect wallet" })).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
      await signInThroughUi(page, node.url, owner);
      expect(await axeViolations(page)).toEqual([]);
      for (const app of ["Files", "Settings", "Terminal", "AI Chat", "WASM Apps"]) {
        await page.getByRole("button", { name: `Open ${app}` }).click();
        await expect(page.getByRole("dialog", { name: app })).toBeVisible();
        expect(await axeViolations(page), app).toEqual([]);
        if (app === "Settings")
          for (const tab of await page.getByRole("dialog", { name: app }).getByRole("tab").all()) {
            await tab.click();
            await expect(tab).toHaveAttribute("aria-selected", "true");
            await page.waitForTimeout(150); // the tab's own data arrives
            expect(await axeViolations(page), `Settings › ${await tab.textContent()}`).toEqual([]);
          }
        await page.getByRole("dialog", { name: app }).getByRole("button", { name: "Close" }).click();
      }
    });

    test("themes: light when the system is light, with every app still clean under axe; Settings › Appearance picks dark, kept after a reload", async ({ browser }, info) => {
      const context = await browser.newContext({ colorScheme: "light", viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      try {
        await signInThroughUi(page, node.url, owner);
        await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
        for (const app of ["Files", "Settings", "AI Chat"]) {
          await page.getByRole("button", { name: `Open ${app}` }).click();
          await expect(page.getByRole("dialog", { name: app })).toBeVisible();
          expect(await axeViolations(page), app).toEqual([]);
          if (app === "Files") await page.screenshot({ path: info.outputPath("light-files.png") });
          if (app !== "Settings") await page.getByRole("dialog", { name: app }).getByRole("button", { name: "Close" }).click();
        }
        const settings = page.getByRole("dialog", { name: "Settings" });
        await settings.getByRole("tab", { name: "Appearance" }).click();
        await settings.getByLabel("Dark").check();
        await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
        await page.reload();
        await expect(page.getByRole("navigation", { name: "Taskbar" })).toBeVisible();
        await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
      } finally {
        await context.close();
      }
    });

    test("a reload brings back the windows that were open, where they were; signing out forgets them", async ({ page }) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Files" }).click();
      const files = page.getByRole("dialog", { name: "Files" });
      await files.locator("tr[data-name='Documents']").dblclick();
      // Move it by its title bar, then open Settings in front.
      const title = files.locator("header");
      const before = (await files.boundingBox())!;
      await title.hover({ position: { x: 40, y: 10 } });
      await page.mouse.down();
      await page.mouse.move(before.x + 240, before.y + 110, { steps: 5 });
      await page.mouse.up();
      const moved = (await files.boundingBox())!;
      await page.getByRole("button", { name: "Open Settings" }).click();
      await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();

      await page.reload();
      await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();
      await expect(files).toBeVisible();
      expect(await files.boundingBox()).toEqual(moved);
      const running = page.getByRole("list", { name: "Open windows" }).getByRole("button");
      await expect(running).toHaveText(["Files", "Settings"]);
      await expect(running.last()).toHaveAttribute("aria-pressed", "true");

      await page.getByRole("navigation", { name: "Taskbar" }).getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await expect(page.getByRole("navigation", { name: "Taskbar" })).toBeVisible();
      await expect(page.getByRole("dialog")).toHaveCount(0);
    });

    test("keyboard only: sign in, upload, rename, share and sign out without the mouse", async ({ page }) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      // The browser's file dialog, answered as a person would (set up first, so it is never missed).
      page.on("filechooser", (chooser) => void chooser.setFiles({ name: "typed.txt", mimeType: "text/plain", buffer: Buffer.from("no mouse") }));
      await injectWallet(page, owner);
      await page.goto(node.url);
      await tabTo(page, (f) => f.text === "Connect wallet");
      await page.keyboard.press("Enter");
      await expect(page.getByRole("navigation", { name: "Taskbar" })).toBeVisible();
      // Files by its shortcut; Upload by Tab and Enter.
      await page.keyboard.press("Control+Alt+f");
      const files = page.getByRole("dialog", { name: "Files" });
      await expect(files).toBeVisible();
      await expect.poll(() => files.evaluate(focusIsWithin)).toBe(true);
      await tabTo(page, (f) => f.text === "Upload");
      await page.keyboard.press("Enter");
      await expect(files.locator("tr[data-name='typed.txt']")).toBeVisible();
      // The list: arrows to the file, F2 to rename it.
      await tabTo(page, (f) => f.label === "Files" && f.role === "region");
      const selectedName = () => files.locator("tr[aria-selected='true']").evaluateAll((rows) => rows[0]?.getAttribute("data-name") ?? null);
      for (let i = 0; i < 12 && (await selectedName()) !== "typed.txt"; i++) await page.keyboard.press("ArrowDown");
      await expect(files.locator("tr[data-name='typed.txt']")).toHaveAttribute("aria-selected", "true");
      await page.keyboard.press("F2");
      await page.keyboard.type("renamed.txt");
      await page.keyboard.press("Enter");
      await expect(files.locator("tr[data-name='renamed.txt']")).toBeVisible();
      // Its menu from the keyboard (Shift+F10), down to Share…, Enter; the dialog's Copy has focus; Escape closes it.
      await tabTo(page, (f) => f.label === "Files" && f.role === "region");
      for (let i = 0; i < 12 && (await selectedName()) !== "renamed.txt"; i++) await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Shift+F10");
      for (let i = 0; i < 12 && (await focused(page)).text !== "Share…"; i++) await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      const share = files.getByRole("dialog", { name: "Share “renamed.txt”" });
      await expect(share.getByRole("button", { name: "Copy link" })).toBeFocused();
      await page.keyboard.press("Escape");
      await expect(share).toHaveCount(0);
      // Sign out, reached by Tab.
      await tabTo(page, (f) => f.text === "Sign out", 80);
      await page.keyboard.press("Enter");
      await expect(page.getByRole("button", { name: "Connect wallet" })).toBeVisible();
    });
  });
