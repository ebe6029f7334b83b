// Files on a phone (390×844) and a tablet (768×1024), by touch: a tap opens a folder or a file in its
// app full screen (editor with Save, image viewer with next and zoom, PDF, audio); each row's ⋯ menu
// reaches Share, whose link shows on the screen; a folder downloads as a zip whose progress the
// browser can show (the service worker gives it its length). Every screen is clean under axe.
import type { Page } from "@playwright/test";
import { Wallet } from "ethers";
import { statSync } from "node:fs";
import { claimViaApi, editorText, expect, signInThroughUi, startNode, test, type RunningNode, uploadFile } from "./fixtures.ts";
import { PNG, pdf, wav } from "./sample-files.ts";
import { axeViolations, expectFits, expectTappable } from "./screen-checks.ts";

const owner = Wallet.createRandom() as unknown as Wallet;
let node: RunningNode;
let token: string;

const put = (dir: string, name: string, content: Uint8Array | string) => uploadFile(node.url, token, dir, name, content);

async function call(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${node.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
}
const mkdir = (path: string) => call("/mkdir", { path });
/** Gone for good (not to the Trash), as if removed from another device. */
const remove = async (path: string) => (await call("/delete", { paths: [path] }), await call("/api/files/trash/empty", {}));

async function read(path: string): Promise<string> {
  return (await fetch(`${node.url}/read?file=${encodeURIComponent(path)}`, { headers: { authorization: `Bearer ${token}` } })).text();
}

/** The app window for `name` fills the screen, fits it, and passes axe; then its Close is tapped. */
async function checkAndClose(page: Page, name: string, width: number): Promise<void> {
  const window = page.getByRole("dialog", { name, exact: true });
  const box = (await window.boundingBox())!;
  expect([box.x, box.y, box.width]).toEqual([0, 0, width]);
  await expectFits(page);
  expect(await axeViolations(page), `${name} at ${width}`).toEqual([]);
  await window.getByRole("button", { name: "Close" }).tap();
  await expect(window).toHaveCount(0);
}

test.describe
  .serial("files on small screens", () => {
    test.beforeAll(async () => {
      node = await startNode();
      token = await claimViaApi(node.url, owner);
      for (const width of [390, 768]) await put("~/Documents", `notes-${width}.txt`, "first line\n");
      await put("~/Documents", "dot.png", PNG);
      await put("~/Documents", "dot2.png", PNG);
      await put("~/Documents", "hello.pdf", pdf());
      await put("~/Documents", "tone.wav", wav());
      await mkdir("~/Documents/Album");
      await put(
        "~/Documents/Album",
        "a.bin",
        new Uint8Array(300_000).map((_, i) => i),
      );
      await put("~/Documents/Album", "b.txt", "b");
    });
    test.afterAll(async () => node.stop());

    for (const size of [
      { name: "a phone", width: 390, height: 844 },
      { name: "a tablet", width: 768, height: 1024 },
    ])
      test(`on ${size.name} (${size.width}×${size.height}): tap to open files in their apps, edit and save, share from the ⋯ menu, download a folder as a zip`, async ({ browser }, info) => {
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, hasTouch: true, isMobile: true });
        const page = await context.newPage();
        try {
          await signInThroughUi(page, node.url, owner);
          await page.getByRole("list", { name: "Desktop" }).getByRole("button", { name: "Files" }).tap();
          const files = page.getByRole("dialog", { name: "Files" });
          await files.locator("tr[data-name='Documents']").tap();
          await expect(files.locator(`tr[data-name='notes-${size.width}.txt']`)).toBeVisible();

          // The editor: type, Save (a finger-sized button on the screen), saved on the node.
          await files.locator(`tr[data-name='notes-${size.width}.txt']`).tap();
          const editor = page.getByRole("dialog", { name: `notes-${size.width}.txt` });
          const area = editor.getByLabel(`Contents of notes-${size.width}.txt`);
          expect(await editorText(editor.locator("pc2-editor-app"))).toBe("first line\n");
          await area.press("Control+End");
          await area.pressSequentially(`typed on ${size.width}`);
          const save = editor.getByRole("button", { name: "Save" });
          await expectTappable(page, save);
          await save.tap();
          await expect(editor.getByTestId("dirty")).toHaveCount(0);
          expect(await read(`~/Documents/notes-${size.width}.txt`)).toBe(`first line\ntyped on ${size.width}`);
          await page.screenshot({ path: info.outputPath(`${size.width}-editor.png`) });
          await checkAndClose(page, `notes-${size.width}.txt`, size.width);

          // The image viewer: Next and zoom in reach.
          await files.locator("tr[data-name='dot.png']").tap();
          const viewer = page.getByRole("dialog", { name: "dot.png" });
          await expect(viewer).toContainText("(1 of 2)");
          await expectTappable(page, viewer.getByRole("button", { name: "Next" }));
          await viewer.getByRole("button", { name: "Next" }).tap();
          const second = page.getByRole("dialog", { name: "dot2.png" });
          await expect(second).toContainText("(2 of 2)");
          await expectTappable(page, second.getByRole("button", { name: "Zoom in" }));
          await second.getByRole("button", { name: "Zoom in" }).tap();
          await expect(second.getByTestId("zoom")).not.toHaveText("Fit");
          await page.screenshot({ path: info.outputPath(`${size.width}-image.png`) });
          await checkAndClose(page, "dot2.png", size.width);

          // A PDF, drawn; audio in the browser's player.
          await files.locator("tr[data-name='hello.pdf']").tap();
          await expect(page.getByRole("dialog", { name: "hello.pdf" }).getByRole("img", { name: "Page 1" })).toHaveAttribute("data-drawn", "true");
          await checkAndClose(page, "hello.pdf", size.width);
          await files.locator("tr[data-name='tone.wav']").tap();
          await expect.poll(() => page.locator("pc2-media-viewer audio").evaluate((el) => Math.round((el as HTMLAudioElement).duration))).toBe(1);
          await checkAndClose(page, "tone.wav", size.width);

          // Share from the row's ⋯ menu: the menu and the dialog are on the screen, the link readable.
          const more = files.getByRole("button", { name: `More actions for notes-${size.width}.txt` });
          await expectTappable(page, more);
          await more.tap();
          const share = page.getByRole("menuitem", { name: "Share…" });
          await expectTappable(page, share);
          await share.tap();
          const dialog = files.getByRole("dialog", { name: `Share “notes-${size.width}.txt”` });
          await expect(dialog.getByRole("button", { name: "Copy link" })).toBeVisible();
          const link = dialog.getByTestId("share-url");
          await expect(link).toHaveValue(/\/ipfs\/\w+$/);
          const linkBox = (await link.boundingBox())!;
          expect(linkBox.x + linkBox.width).toBeLessThanOrEqual(size.width + 0.5);
          await expectTappable(page, dialog.getByRole("button", { name: "Copy link" }));
          expect(await axeViolations(page), `share dialog at ${size.width}`).toEqual([]);
          await page.screenshot({ path: info.outputPath(`${size.width}-share.png`) });
          await dialog.getByRole("button", { name: "Done" }).tap();
          await expect(dialog).toHaveCount(0);

          // A folder as a zip, byte for byte what the node announced.
          await expect.poll(() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration("/api/files/"))?.active))).toBe(true);
          await files.getByRole("button", { name: "More actions for Album" }).tap();
          const downloading = page.waitForEvent("download");
          await page.getByRole("menuitem", { name: "Download as zip" }).tap();
          const download = await downloading;
          expect(download.suggestedFilename()).toBe("Album.zip");
          const saved = info.outputPath(`${size.width}-Album.zip`);
          await download.saveAs(saved);
          const announced = await fetch(`${node.url}/api/files/zip?path=${encodeURIComponent("~/Documents/Album")}`, { headers: { authorization: `Bearer ${token}` } });
          const length = Number(announced.headers.get("x-zip-length"));
          await announced.body?.cancel();
          expect(statSync(saved).size).toBe(length);
          // It went through the service worker (which gives it its length): a refusal comes back as the
          // node's message in a notice — an <a download> could only fail silently in the browser's list.
          await mkdir(`~/Documents/Gone ${size.width}`);
          await expect(files.locator(`tr[data-name='Gone ${size.width}']`)).toBeVisible();
          await files.getByRole("button", { name: `More actions for Gone ${size.width}` }).tap();
          await remove(`~/Documents/Gone ${size.width}`);
          await page.getByRole("menuitem", { name: "Download as zip" }).tap();
          await expect(
            page
              .getByRole("status")
              .or(page.getByRole("alert"))
              .filter({ hasText: `Gone ${size.width}.zip was not downloaded` }),
          ).toBeVisible();
        } finally {
          await context.close();
        }
      });
  });
