// Settings: the Owner invites a member through the desktop; API tokens are shown once; members see only their own access.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { claimViaApi, expect, signInThroughUi, startNode, test, type RunningNode } from "./fixtures.ts";

let node: RunningNode;
let ownerToken = "";
const owner = Wallet.createRandom() as unknown as Wallet;
const member = Wallet.createRandom() as unknown as Wallet;

test.describe
  .serial("settings", () => {
    test.beforeAll(async () => {
      node = await startNode();
      ownerToken = await claimViaApi(node.url, owner);
    });
    test.afterAll(async () => node.stop());

    test("the Owner invites a member, who can then sign in", async ({ page, browser }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await settings.getByLabel("Wallet address").fill(member.address);
      await settings.getByRole("button", { name: "Invite" }).click();
      await expect(settings.getByRole("status")).toContainText("Invited");
      const row = settings.locator(`tr[data-address='${member.address.toLowerCase()}']`);
      await expect(row).toBeVisible();
      // A name for them, beside the address shortened (whole on hover, with Copy), and what their files take.
      const addr = member.address.toLowerCase();
      await row.getByRole("button", { name: `Name ${addr.slice(0, 6)}…${addr.slice(-4)}` }).click();
      await row.getByLabel("Name", { exact: true }).fill("Bob");
      await row.getByRole("button", { name: "Save" }).click();
      await expect(settings.getByRole("status")).toContainText("Name saved");
      await expect(row).toContainText("Bob");
      await expect(row.getByTitle(addr)).toHaveText(`${addr.slice(0, 6)}…${addr.slice(-4)}`);
      await expect(row.getByRole("button", { name: "Copy the address of Bob" })).toBeVisible();
      await expect(row).toContainText("0 B");
      await page.screenshot({ path: info.outputPath("settings-users.png") });
      // Sessions say which browser and system, not the raw User-Agent.
      await settings.getByRole("tab", { name: "Sessions & tokens" }).click();
      await expect(settings.locator("tbody tr").first()).toContainText(/Chrome( Headless)? \d+ on Linux/);
      await settings.getByRole("tab", { name: "Users" }).click();

      const memberPage = await browser.newPage();
      await signInThroughUi(memberPage, node.url, member);
      await expect(memberPage.getByRole("navigation", { name: "Taskbar" })).toContainText("member");
      await memberPage.close();

      // Promote, then remove: the member is signed out for good.
      await settings.getByLabel("Role of Bob").selectOption("admin");
      await expect(settings.getByRole("status")).toContainText("Role changed");
      await settings.locator(`tr[data-address='${member.address.toLowerCase()}']`).getByRole("button", { name: "Remove" }).click();
      await expect(settings.locator(`tr[data-address='${member.address.toLowerCase()}']`)).toHaveCount(0);
    });

    test("letting Admins into the terminal is a switch with the warning, in words, beside it", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await expect(settings.getByTestId("terminal-warning")).toContainText("gives them your powers");
      const toggle = settings.getByTestId("admins-in-terminal");
      await expect(toggle).not.toBeChecked();
      await toggle.check();
      await expect(settings.getByRole("status")).toContainText("Admins may now open terminals");
      const token = await claimViaApi(node.url, owner);
      expect(await (await fetch(`${node.url}/api/terminal/settings`, { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ allowAdmins: true });
      await toggle.uncheck();
      await expect(settings.getByRole("status")).toContainText("Only you may open terminals");
    });

    test("the Network tab says in words whether the node is on the network, turns it on live, and looks up a node", async ({ page }, info) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await settings.getByRole("tab", { name: "Network" }).click();
      const network = settings.locator("pc2-network-settings");
      await expect(network.getByTestId("network-state")).toHaveText("Off");
      await expect(network.getByTestId("network-summary")).toContainText("nothing is published");
      await expect(network.getByRole("button", { name: "Find" })).toBeDisabled();
      await network.getByRole("button", { name: "Turn networking on" }).click();
      // No bootstrap nodes in tests: on, but alone (the state arrives over the socket as well).
      await expect(network.getByTestId("network-state")).toHaveText("Waiting for other nodes");
      await expect(network.getByRole("button", { name: "Turn networking off" })).toBeVisible();
      await network.getByLabel("Node ID or DID").fill("did:boson:HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ");
      await network.getByRole("button", { name: "Find" }).click();
      await expect(network.getByTestId("lookup-result")).toContainText("Not found on the network");
      await network.getByLabel("Node ID or DID").fill("not-a-node-id");
      await network.getByRole("button", { name: "Find" }).click();
      await expect(network.getByRole("alert")).toContainText("Not a Node ID");
      await page.screenshot({ path: info.outputPath("settings-network.png") });
      await network.getByRole("button", { name: "Turn networking off" }).click();
      await expect(network.getByTestId("network-state")).toHaveText("Off");
    });

    test("an API token is shown once, works, and can be revoked", async ({ page }) => {
      await signInThroughUi(page, node.url, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await settings.getByRole("tab", { name: "Sessions & tokens" }).click();
      await settings.getByLabel("Name").fill("backup script");
      await settings.getByRole("button", { name: "Create token" }).click();
      const token = (await settings.getByTestId("new-token").textContent())!.trim();
      expect(token).toMatch(/^pc2_/);
      expect((await fetch(`${node.url}/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      await settings.locator("tr[data-token='backup script']").getByRole("button", { name: "Revoke" }).click();
      await expect(settings.locator("tr[data-token='backup script']")).toHaveCount(0);
      expect((await fetch(`${node.url}/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    });

    test("Backups: the phrase is the only key, said before the first backup; back up into a folder and see the result; keep a friend's backups", async ({ page }, info) => {
      const folder = mkdtempSync(join(tmpdir(), "pc2-e2e-usb-"));
      try {
        const form = new FormData();
        form.append("path", "~/Documents");
        form.append("file", new Blob(["kept in the backup"]), "kept.txt");
        expect((await fetch(`${node.url}/write`, { method: "POST", headers: { authorization: `Bearer ${ownerToken}` }, body: form })).status).toBe(200);
        await signInThroughUi(page, node.url, owner);
        await page.getByRole("button", { name: "Open Settings" }).click();
        const settings = page.locator("pc2-settings-app");
        await settings.getByRole("tab", { name: "Backups" }).click();
        const backups = settings.locator("pc2-backup-settings");
        await expect(backups.getByTestId("backup-key-warning")).toContainText("Without the phrase, nobody — PC2 included — can read a backup.");
        await expect(backups.getByTestId("backup-last")).toHaveText("No backup yet.");
        await backups.getByLabel(/Folder on the node's machine/).fill(folder);
        await backups.getByRole("button", { name: "Back up now" }).click();
        await expect(backups.getByRole("status")).toContainText("Backed up:");
        // The node tells the Owner's desktop how it ended: a notice, kept in the notifications centre.
        await expect(page.locator("pc2-toasts")).toContainText(/Backed up to .* written\)/);
        await expect(backups.getByTestId("backup-last")).toContainText(`Last good backup:`);
        await expect(backups.getByTestId("backup-last")).toContainText(folder);
        expect(readdirSync(join(folder, "pc2-backup"))).toHaveLength(1); // <Node ID>/
        // Restore files: browse the set, open Documents, tick the file, bring it back into a new folder.
        const restoring = backups.locator("pc2-backup-restore");
        await restoring.getByRole("button", { name: "Browse backups" }).click();
        const listing = restoring.getByRole("list", { name: "Files in this backup" });
        await listing.getByRole("button", { name: "Documents/" }).click();
        await listing.getByRole("checkbox", { name: "Choose kept.txt" }).check();
        await restoring.getByRole("button", { name: "Restore 1 selected" }).click();
        await expect(restoring.getByRole("status")).toContainText(/Restored 1 file \(18 B\) into ~\/Restored \d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2}\./);
        // A download: the browser saves one .tar archive of the whole node.
        const downloading = page.waitForEvent("download");
        await backups.getByTestId("backup-download").click();
        const download = await downloading;
        expect(download.suggestedFilename()).toMatch(/^pc2-backup-\w{8}-\d{8}T\d{9}Z\.tar$/);
        const saved = join(folder, "download.tar");
        await download.saveAs(saved);
        expect(statSync(saved).size).toBeGreaterThan(10_000);
        // A friend's node as the destination: the form asks for its Node ID instead of a folder.
        await backups.getByLabel("A friend's PC2 node").check();
        await expect(backups.getByLabel(/The friend's Node ID/)).toBeVisible();
        await expect(backups.getByLabel(/Folder on the node's machine/)).toHaveCount(0);
        await backups.getByLabel("A folder on this machine").check();

        // Keeping a friend's backups: this node's own ID to give them, an allowance granted, listed, taken back (asked first).
        const guests = backups.locator("pc2-backup-guests");
        await expect(guests.getByTestId("own-node-id")).toHaveText(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
        const friendId = "HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ";
        await guests.getByLabel("Their Node ID").fill(friendId);
        await guests.getByLabel("Name").fill("Alice's node");
        await guests.getByLabel("Allowance (GiB)").fill("2");
        await guests.getByRole("button", { name: "Allow" }).click();
        await expect(guests.getByRole("status")).toContainText("Alice's node may now keep up to 2");
        const list = guests.getByRole("list", { name: "Nodes whose backups this node keeps" });
        await expect(list.getByRole("listitem")).toHaveCount(1);
        await expect(list).toContainText(friendId);
        await expect(list).toContainText("not seen yet");
        await page.screenshot({ path: info.outputPath("settings-backups.png") });
        page.once("dialog", (d) => void d.accept());
        await list.getByRole("button", { name: "Stop keeping backups for Alice's node" }).click();
        await expect(list.getByRole("listitem")).toHaveCount(0);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
