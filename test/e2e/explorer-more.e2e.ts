// More of the explorer and the shell: context menu, multi-select, moves by drag, thumbnails, cancel, windows.
import { Wallet } from "ethers";
import type { Page } from "@playwright/test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode, uploadFile } from "./fixtures.ts";

let node: RunningNode;
let token: string;
const owner = Wallet.createRandom() as unknown as Wallet;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

const put = (name: string, content: Buffer | string, dir = "~/Documents") => uploadFile(node.url, token, dir, name, content);

async function openDocuments(page: Page) {
  await signInThroughUi(page, node.url, owner);
  await page.getByRole("button", { name: "Open Files" }).click();
  const files = page.locator("pc2-file-explorer");
  await files.locator("tr[data-name='Documents']").dblclick();
  return files;
}

test.describe
  .serial("explorer and windows", () => {
    test.beforeAll(async () => {
      node = await startNode();
      token = await claimViaApi(node.url, owner);
      await put("report.txt", "quarterly numbers");
      await put("a.txt", "a");
      await put("b.txt", "b");
      await put("pic.png", PNG);
      const mk = await fetch(`${node.url}/mkdir`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ path: "~/Documents/Archive" }),
      });
      expect(mk.status).toBe(200);
    });
    test.afterAll(async () => node.stop());

    test("context menu: properties show the CID; share makes a public link that works without signing in", async ({ page }) => {
      const files = await openDocuments(page);
      const written = await (
        await fetch(`${node.url}/stat`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ path: "~/Documents/report.txt" }) })
      ).json();
      await files.locator("tr[data-name='report.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Properties" }).click();
      await expect(files.getByTestId("cid")).toHaveText(written.cid);
      expect((await fetch(`${node.url}/ipfs/${written.cid}`)).status).toBe(403);
      await files.locator("tr[data-name='report.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Share…" }).click();
      // The dialog shows the link itself, ready to copy; the browser's loopback address comes last, marked as such.
      const dialog = files.getByRole("dialog", { name: "Share “report.txt”" });
      await expect(dialog).toBeVisible();
      await expect(dialog.getByRole("button", { name: "Copy link" })).toBeFocused();
      const url = await dialog.getByTestId("share-url").inputValue();
      expect(url.endsWith(`/ipfs/${written.cid}`)).toBe(true);
      const shared = await fetch(url.replace(/^https?:\/\/[^/]+/, node.url));
      expect(shared.status).toBe(200);
      expect(await shared.text()).toBe("quarterly numbers");
      await page.keyboard.press("Escape");
      await expect(dialog).toHaveCount(0);
      // Properties say it is shared; Stop sharing in the dialog turns the link off.
      await files.locator("tr[data-name='report.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Properties" }).click();
      await expect(files.getByTestId("shared")).toContainText("anyone with the link can open it");
      await files.locator("tr[data-name='report.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Shared: show link…" }).click();
      await dialog.getByRole("button", { name: "Stop sharing" }).click();
      await expect(page.locator("pc2-toasts")).toContainText("report.txt is no longer shared");
      expect((await fetch(`${node.url}/ipfs/${written.cid}`)).status).toBe(403);
    });

    test("multi-select with Ctrl and delete both; drag a file onto a folder to move it", async ({ page }) => {
      const files = await openDocuments(page);
      await files.locator("tr[data-name='a.txt']").click();
      await files.locator("tr[data-name='b.txt']").click({ modifiers: ["Control"] });
      await files.locator("tr[data-name='b.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Delete 2 items" }).click();
      await expect(files.locator("tr[data-name='a.txt']")).toHaveCount(0);
      await expect(files.locator("tr[data-name='b.txt']")).toHaveCount(0);

      await files.locator("tr[data-name='report.txt']").dragTo(files.locator("tr[data-name='Archive']"));
      await expect(files.locator("tr[data-name='report.txt']")).toHaveCount(0);
      await files.locator("tr[data-name='Archive']").dblclick();
      await expect(files.locator("tr[data-name='report.txt']")).toBeVisible();
    });

    test("grid view shows image thumbnails", async ({ page }, info) => {
      const files = await openDocuments(page);
      await files.getByRole("button", { name: "Grid view" }).click();
      const thumb = files.locator(".tile[data-name='pic.png'] img");
      await expect(thumb).toBeVisible();
      await expect.poll(() => thumb.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
      await page.screenshot({ path: info.outputPath("files-grid.png") });
    });

    test("a large upload goes in resumable chunks and can be cancelled; nothing is left behind", async ({ page }) => {
      const files = await openDocuments(page);
      // Slow the chunks down so there is time to cancel mid-way.
      await page.route("**/api/files/uploads/*?offset=*", async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      // Over the resumable threshold (64 MiB); Playwright takes files this size only from disk.
      const dir = mkdtempSync(join(tmpdir(), "pc2-e2e-big-"));
      const path = join(dir, "huge.bin");
      writeFileSync(path, Buffer.alloc(70 * 1024 * 1024, 1));
      await files.locator("#picker").setInputFiles(path);
      rmSync(dir, { recursive: true, force: true });
      const row = files.locator("[data-upload='huge.bin']");
      await expect(row.locator("progress")).toBeVisible();
      await row.getByRole("button", { name: "Cancel" }).click();
      await expect(row).toHaveAttribute("data-state", "cancelled");
      await expect(files.locator("tr[data-name='huge.bin']")).toHaveCount(0);
      const stat = await fetch(`${node.url}/stat`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ path: "~/Documents/huge.bin" }),
      });
      expect(stat.status).toBe(404);
    });

    test("windows: focus raises, drag moves, the grip resizes, minimise and restore from the taskbar, maximise, keyboard", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Files" }).click();
      await page.getByRole("button", { name: "Open Settings" }).click();
      const [filesWin, settingsWin] = [page.locator("pc2-window", { has: page.locator("pc2-file-explorer") }), page.locator("pc2-window", { has: page.locator("pc2-settings-app") })];
      const z = (w: typeof filesWin) => w.evaluate((el) => Number((el as HTMLElement).style.zIndex));
      expect(await z(settingsWin)).toBeGreaterThan(await z(filesWin));
      await filesWin.locator("header h2").click();
      expect(await z(filesWin)).toBeGreaterThan(await z(settingsWin));

      const before = (await filesWin.boundingBox())!;
      // A window opens beside the desktop's icons, not over them, and inside the screen above the taskbar.
      const icon = (await page.getByRole("list", { name: "Desktop" }).getByRole("button", { name: "Files", exact: true }).boundingBox())!;
      const bar = (await page.getByRole("navigation", { name: "Taskbar" }).boundingBox())!;
      expect(before.x).toBeGreaterThanOrEqual(icon.x + icon.width);
      expect(before.x + before.width).toBeLessThanOrEqual(page.viewportSize()!.width);
      expect(before.y + before.height).toBeLessThanOrEqual(bar.y);
      const header = filesWin.locator("header h2");
      const h = (await header.boundingBox())!;
      await page.mouse.move(h.x + 20, h.y + 5);
      await page.mouse.down();
      await page.mouse.move(h.x + 120, h.y + 65, { steps: 5 });
      await page.mouse.up();
      const moved = (await filesWin.boundingBox())!;
      expect(Math.round(moved.x - before.x)).toBe(100);
      expect(Math.round(moved.y - before.y)).toBe(60);

      const grip = (await filesWin.locator(".grip").boundingBox())!;
      await page.mouse.move(grip.x + 8, grip.y + 8);
      await page.mouse.down();
      await page.mouse.move(grip.x + 58, grip.y + 38, { steps: 5 });
      await page.mouse.up();
      const resized = (await filesWin.boundingBox())!;
      expect(Math.round(resized.width - moved.width)).toBe(50);

      await filesWin.getByRole("button", { name: "Minimise" }).click();
      await expect(filesWin).toHaveCount(0);
      await page.getByRole("navigation", { name: "Taskbar" }).getByRole("listitem").filter({ hasText: "Files" }).click();
      await expect(filesWin).toBeVisible();
      await filesWin.getByRole("button", { name: "Maximise" }).click();
      await expect(filesWin).toHaveAttribute("maximized", "");

      await page.keyboard.press("Control+Alt+w");
      await expect(filesWin).toHaveCount(0);
      await page.keyboard.press("Control+Alt+f");
      await expect(filesWin).toBeVisible();
      // Cycling brings the window at the back to the front.
      expect(await z(filesWin)).toBeGreaterThan(await z(settingsWin));
      await page.keyboard.press("Control+Alt+ArrowRight");
      await expect.poll(async () => (await z(settingsWin)) > (await z(filesWin))).toBe(true);
    });

    test("a folder of 1,000 entries keeps only the rows in sight in the page, scrolls and moves by keyboard to the end, and shows a new folder's rename box", async ({ page }) => {
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const mk = (name: string) => fetch(`${node.url}/mkdir`, { method: "POST", headers: auth, body: JSON.stringify({ parent: "~/Documents/Many", path: name, create_missing_parents: true }) });
      expect((await mk("entry-0000")).status).toBe(200);
      for (let i = 1; i < 1000; i += 50) await Promise.all(Array.from({ length: Math.min(50, 1000 - i) }, (_, j) => mk(`entry-${String(i + j).padStart(4, "0")}`)));
      const files = await openDocuments(page);
      await files.locator("tr[data-name='Many']").dblclick();
      await expect(files.locator("tr[data-name='entry-0000']")).toBeVisible();
      const rows = files.locator("tbody tr:not(.spacer)");
      expect(await rows.count()).toBeLessThan(80);
      await expect(files.getByRole("grid", { name: "Files" })).toHaveAttribute("aria-rowcount", "1001");
      // Scrolled to the end: the last entries are drawn, the first are not.
      await files.locator(".list").evaluate((el) => (el.scrollTop = el.scrollHeight));
      await expect(files.locator("tr[data-name='entry-0999']")).toBeVisible();
      await expect(files.locator("tr[data-name='entry-0000']")).toHaveCount(0);
      // Back to the top, then the keyboard walks down past what was drawn.
      await files.locator(".list").evaluate((el) => (el.scrollTop = 0));
      await files.locator("tr[data-name='entry-0000']").click();
      for (let i = 0; i < 60; i++) await files.locator(".list").press("ArrowDown");
      await expect(files.locator("tr[data-name='entry-0060']")).toHaveAttribute("aria-selected", "true");
      await expect(files.locator("tr[data-name='entry-0060']")).toBeInViewport();
      // A new folder whose name sorts far below what is drawn is scrolled into sight, ready to rename.
      await files.locator(".list").evaluate((el) => (el.scrollTop = 0));
      await files.getByRole("button", { name: "New folder" }).click();
      await expect(files.getByLabel("New name")).toBeFocused();
      await expect(files.locator("tr[data-name='New folder']")).toBeInViewport();
    });
  });
