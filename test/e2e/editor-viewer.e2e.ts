// Double-click opens by type: text in the editor (save round-trip, unsaved-changes guard), images in the viewer.
import { Wallet } from "ethers";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
let token: string;
const owner = Wallet.createRandom() as unknown as Wallet;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

async function put(name: string, content: Uint8Array | string) {
  const fd = new FormData();
  fd.append("path", "~/Documents");
  fd.append("name", name);
  fd.append("file", new Blob([content as BlobPart]), name);
  const res = await fetch(`${node.url}/write`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status}`);
}

async function read(name: string): Promise<string> {
  const res = await fetch(`${node.url}/read?file=${encodeURIComponent(`~/Documents/${name}`)}`, { headers: { authorization: `Bearer ${token}` } });
  return res.text();
}

test.describe
  .serial("editor and viewer", () => {
    test.beforeAll(async () => {
      node = await startNode();
      token = await claimViaApi(node.url, owner);
      await put("notes.txt", "first line\n");
      await put("dot.png", PNG);
    });
    test.afterAll(async () => node.stop());

    test("edit and save a text file; closing with unsaved changes asks first", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Files" }).click();
      await page.locator("pc2-file-explorer tr[data-name='Documents']").dblclick();
      await page.locator("pc2-file-explorer tr[data-name='notes.txt']").dblclick();

      const editor = page.locator("pc2-editor-app");
      const area = editor.getByLabel("Contents of notes.txt");
      await expect(area).toHaveValue("first line\n");
      await area.press("End");
      await area.pressSequentially("second line");
      await expect(editor.getByTestId("dirty")).toBeVisible();

      // Closing now would lose work: the guard appears and the window stays.
      const editorWindow = page.locator("pc2-window", { has: editor });
      await editorWindow.getByRole("button", { name: "Close" }).click();
      await expect(editor.getByRole("alertdialog", { name: "Unsaved changes" })).toBeVisible();
      await editor.getByRole("button", { name: "Keep editing" }).click();
      await page.screenshot({ path: info.outputPath("editor.png") });

      await editor.getByRole("button", { name: "Save" }).click();
      await expect(editor.getByTestId("dirty")).toHaveCount(0);
      expect(await read("notes.txt")).toBe("first line\nsecond line");

      // Saved: now it closes without asking.
      await editorWindow.getByRole("button", { name: "Close" }).click();
      await expect(editor).toHaveCount(0);
    });

    test("Discard in the guard closes without saving", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Files" }).click();
      await page.locator("pc2-file-explorer tr[data-name='Documents']").dblclick();
      await page.locator("pc2-file-explorer tr[data-name='notes.txt']").dblclick();
      const editor = page.locator("pc2-editor-app");
      await editor.getByLabel("Contents of notes.txt").pressSequentially("scratch");
      await page.locator("pc2-window", { has: editor }).getByRole("button", { name: "Close" }).click();
      await editor.getByRole("button", { name: "Discard" }).click();
      await expect(editor).toHaveCount(0);
      expect(await read("notes.txt")).toBe("first line\nsecond line");
    });

    test("an image opens in the viewer", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Files" }).click();
      await page.locator("pc2-file-explorer tr[data-name='Documents']").dblclick();
      await page.locator("pc2-file-explorer tr[data-name='dot.png']").dblclick();
      const img = page.locator("pc2-image-viewer img");
      await expect(img).toBeVisible();
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
    });
  });
