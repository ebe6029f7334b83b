// The WASM Apps app: run a sample app with arguments, convert a CSV from the user's files and open
// the result in Files, install an app from a .wasm, watch its output stream in and stop it.
import { join } from "node:path";
import { Wallet } from "ethers";
import { claimViaApi, expect, invite, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

const REPO = join(import.meta.dirname, "..", "..");
let node: RunningNode;
const owner = Wallet.createRandom() as unknown as Wallet;
const member = Wallet.createRandom() as unknown as Wallet;

test.describe
  .serial("WASM apps", () => {
    test.beforeAll(async () => {
      node = await startNode();
      const token = await claimViaApi(node.url, owner);
      await invite(node.url, token, member.address, "member");
      const fd = new FormData();
      fd.append("path", "~/Documents");
      fd.append("file", new Blob(["city,people\nOslo,709000\nBergen,291000\n"]), "cities.csv");
      const res = await fetch(`${node.url}/write`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: fd });
      expect(res.status).toBe(200);
    });
    test.afterAll(async () => node.stop());

    test("run calc, then csv2json on a file from storage and open the result in Files", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open WASM Apps" }).click();
      const apps = page.getByRole("navigation", { name: "WASM apps" });
      await apps.getByRole("button", { name: /calc/ }).click();
      await page.getByLabel("Expression *").fill("6*7+0.5");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect(page.getByTestId("wasm-output")).toHaveText("42.5\n");
      await expect(page.getByRole("status")).toContainText("Exited with code 0");

      await apps.getByRole("button", { name: /csv2json/ }).click();
      await page.getByRole("button", { name: "Choose files…" }).click();
      await page.getByRole("list", { name: "Files to choose from" }).getByLabel("cities.csv").check();
      await page.getByRole("button", { name: "Use 1 file" }).click();
      await expect(page.getByText("~/Documents/cities.csv")).toBeVisible();
      await page.getByLabel("Output folder").fill("~/Documents/converted");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect(page.getByTestId("wasm-output")).toHaveText("cities.csv -> cities.json: 2 rows\n");
      await page.screenshot({ path: info.outputPath("wasm-apps.png") });
      await page.getByRole("button", { name: "Show in Files" }).click();
      await expect(page.getByRole("row", { name: /cities\.json/ })).toBeVisible();
    });

    test("install an app from a .wasm, stream its output, stop it, remove it", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open WASM Apps" }).click();
      await page.getByRole("button", { name: "+ Install app…" }).click();
      await page.getByLabel("Module (.wasm, WASI)").setInputFiles(join(REPO, "dist", "wasm-fixtures", "spin.wasm"));
      await page.getByLabel("Name", { exact: true }).fill("spinner");
      await page.getByLabel("Description").fill("Loops forever");
      await page.getByRole("button", { name: "Install", exact: true }).click();
      await expect(page.getByRole("heading", { name: /spinner/ })).toBeVisible();
      await page.getByLabel("Time limit (s)").fill("30");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect(page.getByTestId("wasm-output")).toHaveText("spinning\n"); // streamed while it runs
      await expect(page.getByRole("button", { name: "Running…" })).toBeDisabled();
      await page.getByRole("button", { name: "Stop" }).click();
      await expect(page.getByRole("status")).toHaveText("Stopped");

      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Remove app" }).click();
      await expect(page.getByRole("navigation", { name: "WASM apps" }).getByRole("button", { name: /spinner/ })).toHaveCount(0);
    });

    test("members do not get the app", async ({ page }) => {
      await signInThroughUi(page, node.url, member);
      await expect(page.getByRole("button", { name: "Open Files" })).toBeVisible();
      await expect(page.getByRole("button", { name: "Open WASM Apps" })).toHaveCount(0);
    });
  });
