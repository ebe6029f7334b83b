// Double-click opens by type: text in the editor (save round-trip, unsaved-changes guard), images in
// the viewer, audio in the browser's player (seeking through HTTP ranges), and a file the desktop
// cannot show as its details with Download — never a download the user did not ask for.
import type { Page } from "@playwright/test";
import { Wallet } from "ethers";
import { claimViaApi, editorText, expect, signInThroughUi, startNode, test, type RunningNode, uploadFile } from "./fixtures.ts";
import { PNG, pdf, wav } from "./sample-files.ts";

const CODE = `// A greeting, in TypeScript.
export default {
  fetch(request: Request): Response {
    const name = new URL(request.url).searchParams.get("name") ?? "world";
    return new Response(\`hello \${name}\`, { status: 200 });
  },
};
`;

let node: RunningNode;
let token: string;
const owner = Wallet.createRandom() as unknown as Wallet;
const put = (name: string, content: Uint8Array | string) => uploadFile(node.url, token, "~/Documents", name, content);

/** Sign in, open Files at ~/Documents, and double-click `name`: it opens in the app for its type. */
async function openInDocuments(page: Page, name: string): Promise<void> {
  await signInThroughUi(page, node.url, owner);
  await page.getByRole("button", { name: "Open Files" }).click();
  await page.locator("pc2-file-explorer tr[data-name='Documents']").dblclick();
  await page.locator(`pc2-file-explorer tr[data-name='${name}']`).dblclick();
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
      await put("main.ts", CODE);
      await put("dot.png", PNG);
      await put("dot2.png", PNG);
      await put("readme.md", "# Hello\n\nSome **bold** text and <script>alert(1)</script> left as text.\n");
      await put("tone.wav", wav());
      await put("archive.bin", new Uint8Array([1, 2, 3, 4]));
      await put("hello.pdf", pdf());
    });
    test.afterAll(async () => node.stop());

    test("edit and save a text file; closing with unsaved changes asks first", async ({ page }, info) => {
      await openInDocuments(page, "notes.txt");

      const editor = page.locator("pc2-editor-app");
      const area = editor.getByLabel("Contents of notes.txt");
      expect(await editorText(editor)).toBe("first line\n");
      await area.press("Control+End");
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
      await openInDocuments(page, "notes.txt");
      const editor = page.locator("pc2-editor-app");
      await editor.getByLabel("Contents of notes.txt").pressSequentially("scratch");
      await expect(editor.getByTestId("dirty")).toBeVisible();
      await page.locator("pc2-window", { has: editor }).getByRole("button", { name: "Close" }).click();
      await editor.getByRole("button", { name: "Discard" }).click();
      await expect(editor).toHaveCount(0);
      expect(await read("notes.txt")).toBe("first line\nsecond line");
    });

    test("code is highlighted by its language, with line numbers and search; plain text is not", async ({ page }, info) => {
      await openInDocuments(page, "main.ts");
      const editor = page.locator("pc2-editor-app");
      expect(await editorText(editor)).toBe(CODE);
      // Each token kind takes its colour from the theme's syntax tokens.
      const colours = await editor.evaluate((el) => {
        const root = el.shadowRoot!.querySelector("pc2-code-editor")!.shadowRoot!;
        const probe = document.createElement("span");
        root.appendChild(probe);
        const tokenColour = (name: string) => ((probe.style.color = `var(--pc2-syntax-${name})`), getComputedStyle(probe).color);
        const expected = { keyword: tokenColour("keyword"), string: tokenColour("string"), comment: tokenColour("comment") };
        probe.remove();
        const spans = [...root.querySelectorAll(".cm-line span")] as HTMLElement[];
        const colourOf = (text: string) => getComputedStyle(spans.find((s) => s.textContent === text)!).color;
        const comment = spans.find((s) => s.textContent?.startsWith("// A greeting"))!;
        return {
          expected,
          keyword: colourOf("export"),
          string: colourOf('"world"'),
          comment: getComputedStyle(comment).color,
          commentStyle: getComputedStyle(comment).fontStyle,
          lineNumbers: root.querySelectorAll(".cm-lineNumbers .cm-gutterElement").length,
        };
      });
      expect(colours.keyword).toBe(colours.expected.keyword);
      expect(colours.string).toBe(colours.expected.string);
      expect(colours.comment).toBe(colours.expected.comment);
      expect(colours.commentStyle).toBe("italic");
      expect(colours.lineNumbers).toBeGreaterThanOrEqual(CODE.split("\n").length);
      // Ctrl+F searches the file.
      await editor.getByLabel("Contents of main.ts").press("Control+f");
      await expect(editor.getByRole("textbox", { name: "Find" })).toBeFocused();
      await page.keyboard.press("Escape");
      await page.screenshot({ path: info.outputPath("editor-code.png") });
      await page.locator("pc2-window", { has: editor }).getByRole("button", { name: "Close" }).click();

      // A .txt file: no language, no colours.
      await page.locator("pc2-file-explorer tr[data-name='notes.txt']").dblclick();
      const plain = page.locator("pc2-editor-app");
      await expect(plain.getByLabel("Contents of notes.txt")).toBeVisible();
      const coloured = await plain.evaluate((el) => el.shadowRoot!.querySelector("pc2-code-editor")!.shadowRoot!.querySelectorAll(".cm-line span").length);
      expect(coloured).toBe(0);
    });

    test("an image opens in the viewer", async ({ page }) => {
      await openInDocuments(page, "dot.png");
      const img = page.locator("pc2-image-viewer img");
      await expect(img).toBeVisible();
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
      // The folder's other images, and zoom.
      const viewer = page.getByRole("dialog", { name: "dot.png" });
      await expect(viewer).toContainText("(1 of 2)");
      await viewer.getByRole("button", { name: "Next" }).click();
      const next = page.getByRole("dialog", { name: "dot2.png" });
      await expect(next).toContainText("(2 of 2)");
      await expect(next.getByTestId("zoom")).toHaveText("Fit");
      await next.getByRole("button", { name: "Zoom in" }).click();
      await expect(next.getByTestId("zoom")).not.toHaveText("Fit");
      await next.getByRole("group", { name: /^Image/ }).press("0");
      await expect(next.getByTestId("zoom")).toHaveText("Fit");
      await next.getByRole("group", { name: /^Image/ }).press("ArrowLeft");
      await expect(page.getByRole("dialog", { name: "dot.png" })).toContainText("(1 of 2)");
    });

    test("audio plays in the browser's player; a file the desktop cannot show opens as its details, with Download", async ({ page }) => {
      await openInDocuments(page, "tone.wav");
      const audio = page.locator("pc2-media-viewer audio");
      await expect(audio).toBeVisible();
      await expect.poll(() => audio.evaluate((el) => Math.round((el as HTMLAudioElement).duration))).toBe(1);

      await page.getByRole("dialog", { name: "tone.wav" }).getByRole("button", { name: "Close" }).click();
      let downloads = 0;
      page.on("download", () => downloads++);
      await page.locator("pc2-file-explorer tr[data-name='archive.bin']").dblclick();
      const info = page.getByRole("dialog", { name: "archive.bin" });
      await expect(info).toContainText("PC2 cannot show this kind of file");
      await expect(info).toContainText("4 B");
      expect(downloads).toBe(0);
      const downloading = page.waitForEvent("download");
      await info.getByRole("link", { name: "Download" }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe("archive.bin");
    });

    test("Markdown opens rendered, its text never turned into HTML; Edit shows the source", async ({ page }) => {
      await openInDocuments(page, "readme.md");
      const preview = page.getByTestId("markdown-preview");
      await expect(preview.getByRole("heading", { name: "Hello" })).toBeVisible();
      await expect(preview.locator("strong", { hasText: /^bold$/ })).toHaveCount(1);
      await expect(preview).toContainText("<script>alert(1)</script>");
      await expect(preview.locator("script")).toHaveCount(0);
      await page.getByRole("button", { name: "Edit" }).click();
      expect(await editorText(page.locator("pc2-editor-app"))).toMatch(/^# Hello/);
    });

    test("a PDF is drawn page by page by pdf.js in the window", async ({ page }) => {
      await openInDocuments(page, "hello.pdf");
      const viewer = page.getByRole("dialog", { name: "hello.pdf" });
      await expect(viewer).toContainText("(1 page)");
      const canvas = viewer.getByRole("img", { name: "Page 1" });
      await expect(canvas).toHaveAttribute("data-drawn", "true");
      // Something was drawn: dark pixels where the text is.
      const dark = await canvas.evaluate((c) => {
        const { data } = (c as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! < 100 && data[i + 3]! > 0) n++;
        return n;
      });
      expect(dark).toBeGreaterThan(100);
    });
  });
