/**
 * The proof page in a real headless browser (Debian's Chromium driven by
 * playwright-core): a refund made through the API shows up as a chain of
 * three steps that can be expanded and filtered.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectValidEvent } from "../support/event-validator.js";
import { NEST_ENTRY, REPO_ROOT, startSampleApp, waitFor, type RunningSampleApp } from "./support/sample-app-process.js";
import { chainSteps, postJson, REFUND_BODY } from "./support/records.js";

const CHROMIUM = "/usr/bin/chromium";
const HEADER = "x-intentproof-correlation-id";
const SCREENSHOT = join(REPO_ROOT, ".tmp", "proof-page.png");

/** The data-action attribute of every element the locator matches, in page order. */
async function dataActions(locator: Locator): Promise<Array<string | null>> {
  const out: Array<string | null> = [];
  for (const item of await locator.all()) out.push(await item.getAttribute("data-action"));
  return out;
}

describe("proof page", () => {
  let app: RunningSampleApp;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (.ci/run does)`);
    }
    dir = mkdtempSync(join(tmpdir(), "intentproof-proof-page-"));
    app = await startSampleApp(NEST_ENTRY, { INTENTPROOF_EVENTS_FILE: join(dir, "events.jsonl") });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows a refund as a chain of three steps, expandable and filterable", async () => {
    // Two chains: the refund under test and a declined card, so filtering has something to hide.
    const correlationId = "proof-page-refund-1";
    const refund = await postJson(`${app.url}/refunds`, REFUND_BODY, { [HEADER]: correlationId });
    expect(refund.status).toBe(201);
    const declined = await fetch(`${app.url}/payments/pi_3110_card_declined/capture`, {
      method: "POST",
      headers: { [HEADER]: "proof-page-declined-1" },
    });
    expect(declined.status).toBe(402);
    const steps = await waitFor(() => chainSteps(app.url, correlationId), (s) => s.length >= 3);
    steps.forEach((step) => expectValidEvent(step));
    (await chainSteps(app.url, "proof-page-declined-1")).forEach((step) => expectValidEvent(step));

    const response = await page.goto(`${app.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(await page.title()).toContain("IntentProof");

    const chain = page.locator(`article.chain[data-correlation-id="${correlationId}"]`);
    await chain.waitFor();
    const actions = await dataActions(chain.locator("li.step"));
    expect(actions).toEqual(["refunds.approve", "stripe.refund.create", "email.customer.refund_receipt"]);
    expect(await chain.locator(".badge").textContent()).toBe("ok");
    expect(await chain.locator(".meta").textContent()).toContain("3 steps");
    const statuses = await chain.locator("li.step .status").allTextContents();
    expect(statuses).toEqual(["ok", "ok", "ok"]);
    // Each chain says whether its signed evidence verifies, and so does the whole log.
    expect(await chain.locator(".proof").getAttribute("data-proof")).toBe("verified");
    expect(await chain.locator(".proof").textContent()).toBe("✓ verified");
    expect(await page.locator("#evidence-line").textContent()).toMatch(/^Evidence log verifies: \d+ signed records/);

    // The declined card is highlighted as an error, with its message shown.
    const failed = page.locator('article.chain[data-correlation-id="proof-page-declined-1"]');
    await expect.poll(() => failed.getAttribute("class")).toContain("chain-error");
    expect(await failed.locator(".error-message").first().textContent()).toContain("Your card was declined.");

    // Expanding a step shows its recorded inputs and output.
    const stripeStep = chain.locator('li.step[data-action="stripe.refund.create"]');
    const inputs = stripeStep.locator('dd[data-field="inputs"]');
    expect(await inputs.isVisible()).toBe(false);
    await stripeStep.locator("summary").click();
    await inputs.waitFor({ state: "visible" });
    expect(JSON.parse((await inputs.textContent()) ?? "")).toEqual({
      paymentIntentId: "pi_1042_paid",
      amountCents: 4999,
      reason: "requested_by_customer",
    });
    expect(JSON.parse((await stripeStep.locator('dd[data-field="output"]').textContent()) ?? "")).toMatchObject({
      status: "succeeded",
      amountCents: 4999,
    });

    // Filtering by correlation id keeps only that chain.
    expect(await page.locator("article.chain").count()).toBeGreaterThanOrEqual(2);
    await page.fill("#filter", correlationId);
    await expect.poll(() => page.locator("article.chain").count()).toBe(1);
    expect(await page.locator("article.chain").getAttribute("data-correlation-id")).toBe(correlationId);
    expect(page.url()).toContain(`correlationId=${correlationId}`);

    mkdirSync(join(REPO_ROOT, ".tmp"), { recursive: true });
    await page.fill("#filter", "");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.click("#clear-filter");
    await expect.poll(() => page.locator("article.chain").count()).toBeGreaterThanOrEqual(2);
  });

  it("a page opened with ?correlationId= shows only that chain", async () => {
    await page.goto(`${app.url}/?correlationId=proof-page-declined-1`);
    await page.locator("article.chain").first().waitFor();
    expect(await page.locator("article.chain").count()).toBe(1);
    const steps = page.locator('article.chain[data-correlation-id="proof-page-declined-1"] li.step');
    expect(await dataActions(steps)).toEqual([
      "payments.capture",
      "stripe.payment_intent.capture",
    ]);
    expect(await steps.locator(".status").allTextContents()).toEqual(["error", "error"]);
  });
});
