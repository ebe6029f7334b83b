// Checks a screen must pass: axe-core finds no serious or critical violation; on a small screen
// nothing sticks out sideways and the bottom bar's controls are on the screen and big enough to tap.
import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { expect } from "./fixtures.ts";

/** Serious and critical violations, each as "rule: target" (an empty list passes). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`));
}

/** Nothing sticks out sideways, and every control of the bottom bar is on the screen. */
export async function expectFits(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const viewport = page.viewportSize()!;
  // (The open windows scroll in their own strip: each is brought into it before it is measured.)
  for (const button of await page.getByRole("navigation", { name: "Taskbar" }).getByRole("button").all()) {
    await button.scrollIntoViewIfNeeded();
    const box = (await button.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 0.5);
    expect(box.height).toBeGreaterThanOrEqual(44);
  }
}

/** `locator` is wholly on the screen and at least 44 px tall (a finger's target). */
export async function expectTappable(page: Page, locator: Locator): Promise<void> {
  const viewport = page.viewportSize()!;
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 0.5);
  expect(box.height).toBeGreaterThanOrEqual(44);
}
