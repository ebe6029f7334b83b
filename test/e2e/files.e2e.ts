// The file explorer: own files only, uploads with progress (picker and drag-and-drop), rename, Trash, live updates, phone size.
import { Wallet } from "ethers";
import type { Page } from "@playwright/test";
import { claimViaApi, editorText, expect, invite, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
let ownerToken: string;
const owner = Wallet.createRandom() as unknown as Wallet;
const member = Wallet.createRandom() as unknown as Wallet;

async function openFiles(page: Page, folder?: string) {
  // On a laptop the taskbar opens it; on a phone, the launcher.
  const launcher = page.getByRole("navigation", { name: "Taskbar" }).getByRole("button", { name: "Apps", exact: true });
  if (await launcher.isVisible()) {
    await launcher.click();
    await page.getByRole("dialog", { name: "Apps", exact: true }).getByRole("button", { name: "Files" }).click();
  } else await page.getByRole("button", { name: "Open Files" }).click();
  const explorer = page.locator("pc2-file-explorer");
  await expect(explorer.locator("tr[data-name='Documents']")).toBeVisible();
  if (folder) await explorer.locator(`tr[data-name='${folder}']`).dblclick();
  return explorer;
}

async function uploadViaApi(token: string, name: string, content: string) {
  const fd = new FormData();
  fd.append("path", "~/Documents");
  fd.append("name", name);
  fd.append("file", new Blob([content]), name);
  const res = await fetch(`${node.url}/write`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status}`);
}

test.describe
  .serial("file explorer", () => {
    test.beforeAll(async () => {
      node = await startNode();
      ownerToken = await claimViaApi(node.url, owner);
      await invite(node.url, ownerToken, member.address, "member");
      await uploadViaApi(ownerToken, "owner-secret.txt", "only for the owner");
    });
    test.afterAll(async () => node.stop());

    test("a member sees only their own files", async ({ page }) => {
      await signInThroughUi(page, node.url, member);
      const files = await openFiles(page, "Documents");
      await expect(files.getByText("This folder is empty")).toBeVisible();
      await expect(files.locator("tr[data-name='owner-secret.txt']")).toHaveCount(0);
    });

    test("upload with visible progress, then rename, delete and restore", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      const files = await openFiles(page, "Documents");
      await expect(files.locator("tr[data-name='owner-secret.txt']")).toBeVisible();

      const big = Buffer.alloc(6 * 1024 * 1024, 7);
      await files.locator("#picker").setInputFiles({ name: "photo.bin", mimeType: "application/octet-stream", buffer: big });
      const row = files.locator("[data-upload='photo.bin']");
      await expect(row.locator("progress")).toBeVisible();
      await expect(row).toHaveAttribute("data-state", "done");
      await expect(files.locator("tr[data-name='photo.bin']")).toBeVisible();
      await page.screenshot({ path: info.outputPath("files-after-upload.png") });

      // Rename inline.
      await files.getByRole("button", { name: "Rename photo.bin" }).click();
      const input = files.getByLabel("New name");
      await input.fill("holiday.bin");
      await input.press("Enter");
      await expect(files.locator("tr[data-name='holiday.bin']")).toBeVisible();

      // Delete to the Trash; Undo in the notice brings it back; delete again, then restore it from the Trash.
      await files.getByRole("button", { name: "Delete holiday.bin" }).click();
      await expect(files.locator("tr[data-name='holiday.bin']")).toHaveCount(0);
      await page.getByRole("status").filter({ hasText: "Moved holiday.bin to the Trash" }).getByRole("button", { name: "Undo" }).click();
      await expect(files.locator("tr[data-name='holiday.bin']")).toBeVisible();
      await files.getByRole("button", { name: "Delete holiday.bin" }).click();
      await expect(files.locator("tr[data-name='holiday.bin']")).toHaveCount(0);
      await files.getByRole("button", { name: "Home" }).click();
      // The Trash is not an ordinary folder: no Rename or Delete on it.
      await expect(files.getByRole("button", { name: "Rename Trash" })).toHaveCount(0);
      await expect(files.getByRole("button", { name: "Delete Trash" })).toHaveCount(0);
      await files.locator("tr[data-name='Trash']").dblclick();
      await files.locator("tr[data-name='holiday.bin']").getByRole("button", { name: "Restore" }).click();
      await expect(files.getByText("The Trash is empty.")).toBeVisible();
      await files.getByRole("button", { name: "Home" }).click();
      await files.locator("tr[data-name='Documents']").dblclick();
      await expect(files.locator("tr[data-name='holiday.bin']")).toBeVisible();

      // Every notice is kept in the notifications centre, with an unread count until it is opened.
      const bell = page.getByRole("navigation", { name: "Taskbar" }).getByRole("button", { name: /^Notifications/ });
      await expect(bell).toHaveAccessibleName("Notifications, 3 unread");
      await bell.click();
      const centre = page.getByRole("dialog", { name: "Notifications" });
      await expect(centre.locator("li")).toHaveText([/Moved holiday.bin to the Trash/, /Moved holiday.bin to the Trash/, /Uploaded photo.bin/]);
      await expect(bell).toHaveAccessibleName("Notifications");
      await centre.getByRole("button", { name: "Clear all" }).click();
      await expect(centre).toContainText("Nothing yet");
    });

    test("drag and drop files from the OS uploads them", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      const files = await openFiles(page, "Documents");
      const list = files.locator(".list");
      const dataTransfer = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["dropped text"], "dropped.txt", { type: "text/plain" }));
        return dt;
      });
      await list.dispatchEvent("dragover", { dataTransfer });
      await list.dispatchEvent("drop", { dataTransfer });
      await expect(files.locator("[data-upload='dropped.txt'] progress")).toBeVisible();
      await expect(files.locator("[data-upload='dropped.txt']")).toHaveAttribute("data-state", "done");
      await expect(files.locator("tr[data-name='dropped.txt']")).toBeVisible();
    });

    test("a change in one browser context appears live in another", async ({ browser }) => {
      const a = await browser.newPage();
      const b = await browser.newPage();
      await signInThroughUi(a, node.url, owner);
      await signInThroughUi(b, node.url, owner);
      const filesA = await openFiles(a, "Documents");
      const filesB = await openFiles(b, "Documents");
      await filesB.locator("#picker").setInputFiles({ name: "from-b.txt", mimeType: "text/plain", buffer: Buffer.from("hello from b") });
      // No reload in A: the /ws event brings it in.
      await expect(filesA.locator("tr[data-name='from-b.txt']")).toBeVisible();
      await a.close();
      await b.close();
    });

    test("phone-sized viewport: the window fills the screen and the files are usable", async ({ browser }, info) => {
      const page = await browser.newPage({ viewport: { width: 390, height: 780 } });
      await signInThroughUi(page, node.url, owner);
      const files = await openFiles(page, "Documents");
      const box = await page.locator("pc2-window").boundingBox();
      expect(box!.width).toBeGreaterThanOrEqual(388);
      await expect(files.locator("tr[data-name='holiday.bin']")).toBeVisible();
      await page.screenshot({ path: info.outputPath("files-phone.png") });
      await page.close();
    });

    test("a new folder starts in rename; folders come first; F2 renames with focus; Empty Trash asks first", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      const files = await openFiles(page, "Documents");
      // Slow listings: the live update's reload overtakes the one the action waits for; the action
      // waits for that reload too, and the new folder's rename box gets the focus.
      await page.route("**/readdir", async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      await files.getByRole("button", { name: "New folder" }).click();
      const input = files.getByLabel("New name");
      await expect(input).toBeFocused();
      await page.unroute("**/readdir");
      await input.fill("Projects");
      await input.press("Enter");
      await expect(files.locator("tr[data-name='Projects']")).toBeVisible();
      // Folders before files, whatever their names.
      const names = await files.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")));
      expect(names[0]).toBe("Projects");
      // F2 on the focused row: the box has focus and the name selected.
      await files.locator("tr[data-name='Projects']").click();
      await files.locator(".list").press("F2");
      await expect(files.getByLabel("New name")).toBeFocused();
      await files.getByLabel("New name").press("Escape");
      // Two items to the Trash, then Empty Trash: dismissing the question keeps them; accepting empties it.
      await files.getByRole("button", { name: "Delete Projects" }).click();
      await files.getByRole("button", { name: "Delete holiday.bin" }).click();
      await files.getByRole("button", { name: "Home" }).click();
      await files.locator("tr[data-name='Trash']").dblclick();
      await expect(files.locator("tbody tr")).toHaveCount(2);
      page.once("dialog", (d) => void d.dismiss());
      await files.getByRole("button", { name: "Empty Trash" }).click();
      await expect(files.locator("tbody tr")).toHaveCount(2);
      page.once("dialog", (d) => {
        expect(d.message()).toBe("Delete these 2 items for good? This cannot be undone.");
        void d.accept();
      });
      await files.getByRole("button", { name: "Empty Trash" }).click();
      await expect(files.getByText("The Trash is empty.")).toBeVisible();
    });

    test("Move to… and Copy to… with a folder picker; search across every folder opens what it finds; storage used is shown", async ({ page }) => {
      await uploadViaApi(ownerToken, "plan.txt", "the plan");
      await signInThroughUi(page, node.url, owner);
      const files = await openFiles(page, "Documents");
      await expect(files.getByTestId("storage-usage")).toContainText(/used · .* free on the node/);
      // Copy into Pictures: the picker lists folders only (never the Trash), starting where we are.
      await files.locator("tr[data-name='plan.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Copy to…" }).click();
      const copy = files.getByRole("dialog", { name: "Copy to" });
      await copy.getByRole("button", { name: "Up one folder" }).click();
      await expect(copy.getByRole("list", { name: "Folders" })).not.toContainText("Trash");
      await copy.getByRole("button", { name: "Pictures" }).click();
      await copy.getByRole("button", { name: "Copy here" }).click();
      await expect(page.locator("pc2-toasts")).toContainText("Copied plan.txt to ~/Pictures");
      await expect(files.locator("tr[data-name='plan.txt']")).toBeVisible();
      // Move into Public.
      await files.locator("tr[data-name='plan.txt']").click({ button: "right" });
      await files.getByRole("menuitem", { name: "Move to…" }).click();
      const move = files.getByRole("dialog", { name: "Move to" });
      await move.getByRole("button", { name: "Up one folder" }).click();
      await move.getByRole("button", { name: "Public" }).click();
      await move.getByRole("button", { name: "Move here" }).click();
      await expect(files.locator("tr[data-name='plan.txt']")).toHaveCount(0);
      // Search finds both copies, wherever they are; a result opens in its app.
      await files.getByLabel("Search your files").fill("plan");
      const results = files.getByRole("grid", { name: "Search results" });
      await expect(results.locator("tbody tr")).toHaveCount(2);
      await expect(results).toContainText("~/Pictures");
      await expect(results).toContainText("~/Public");
      await results.locator("tr", { hasText: "~/Public" }).getByRole("button", { name: "plan.txt" }).click();
      const editor = page.getByRole("dialog", { name: "plan.txt" }).locator("pc2-editor-app");
      await expect(editor.getByLabel("Contents of plan.txt")).toBeVisible();
      expect(await editorText(editor)).toBe("the plan");
    });
  });
