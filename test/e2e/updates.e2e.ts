// Settings › Updates in Chromium: the Owner sees the version running, checks a release server on
// loopback, and reads "available" with the release notes — or, for a release signed by another key,
// why it was refused.
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { Wallet } from "ethers";
import { publisherKeyOf, type ReleaseManifest, signRelease } from "../../server/update/release-manifest.ts";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

const seed = randomBytes(32);
const owner = Wallet.createRandom() as unknown as Wallet;
const platform = `${process.platform}-${process.arch}`;
const release = (version: string): ReleaseManifest => ({
  version,
  channel: "stable",
  platform,
  url: `https://releases.example/pc2-${version}`,
  sha256: "ab".repeat(32),
  size: 92_000_000,
  minFrom: "0.0.0",
  notes: "Faster uploads.\nA calmer desktop.",
});
let published = "";
let server: Server;
let node: RunningNode;

test.describe
  .serial("updates", () => {
    test.beforeAll(async () => {
      server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(published));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      node = await startNode({ PC2_UPDATE_MANIFEST_URL: `http://127.0.0.1:${port}/manifest-stable.json`, PC2_UPDATE_PUBLIC_KEY: publisherKeyOf(seed) });
      await claimViaApi(node.url, owner);
    });
    test.afterAll(async () => {
      await node.stop();
      server.close();
    });

    test("the Owner checks and reads the release notes; a release signed by another key is refused with the reason", async ({ page }, info) => {
      published = JSON.stringify(signRelease(release("9.1.0"), seed));
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await settings.getByRole("tab", { name: "Updates" }).click();
      const updates = settings.locator("pc2-update-settings");
      await expect(updates).toContainText("Running PC2 0.1.0 (from source, stable channel");
      await expect(updates.getByTestId("update-summary")).toHaveText("Not checked yet.");
      await updates.getByRole("button", { name: "Check now" }).click();
      await expect(updates.getByTestId("update-summary")).toContainText("PC2 9.1.0 is available. This node runs from source: update it with git pull and npm ci");
      await expect(updates.getByTestId("update-notes")).toHaveText("Faster uploads.\nA calmer desktop.");
      await page.screenshot({ path: info.outputPath("settings-updates.png") });

      published = JSON.stringify(signRelease(release("9.2.0"), randomBytes(32)));
      await updates.getByRole("button", { name: "Check now" }).click();
      await expect(updates.getByRole("alert")).toContainText("The published release was refused: the release is not signed by the trusted publisher key");
      await expect(updates.getByTestId("update-notes")).toHaveCount(0);
    });
  });
