/**
 * The proof page in a real headless browser (Debian's Chromium driven by
 * playwright-core): a refund made through the API shows up as a chain of
 * three steps that can be expanded and filtered; each refund flow shows the
 * run of the app's refund policy (a pass, or the skipped receipt as a failing
 * finding) and a proof bundle that `intentproof verify` accepts.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
const CLI = join(REPO_ROOT, "dist", "cli.js");
// Short, so a flow is judged soon after its last step (the app's default is 2 s).
const FLOW_IDLE_MS = "300";

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
    app = await startSampleApp(NEST_ENTRY, { INTENTPROOF_EVENTS_FILE: join(dir, "events.jsonl"), INTENTPROOF_FLOW_IDLE_MS: FLOW_IDLE_MS });
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

  it("shows each refund flow's run: a green pass, the skipped receipt as a failing finding, and a bundle intentproof verify accepts", async () => {
    await page.goto(`${app.url}/`);
    // One refund through the page's own button, one without its receipt through the documented query.
    await page.click("#try-refund");
    await expect.poll(() => page.locator("#status-line").textContent()).toMatch(/^Refund: HTTP 201, correlation id /);
    const passingId = (await page.locator("#status-line").textContent())!.replace(/^.*correlation id /, "");
    const skipped = await postJson(`${app.url}/refunds?skipReceipt=1`, REFUND_BODY, { [HEADER]: "proof-page-no-receipt" });
    expect(skipped.status).toBe(201);
    expect(((await skipped.json()) as { receipt: unknown }).receipt).toBeNull();
    (await chainSteps(app.url, passingId)).forEach((step) => expectValidEvent(step));
    const skippedSteps = await chainSteps(app.url, "proof-page-no-receipt");
    skippedSteps.forEach((step) => expectValidEvent(step));
    expect(skippedSteps.map((step) => step.action)).toEqual(["refunds.approve", "stripe.refund.create"]);

    // The monitor judges each flow once it has been idle; the page refreshes every two seconds.
    const passing = page.locator(`article.chain[data-correlation-id="${passingId}"] section.run`);
    const failing = page.locator('article.chain[data-correlation-id="proof-page-no-receipt"] section.run');
    await expect.poll(() => passing.getAttribute("data-run"), { timeout: 10_000 }).toBe("pass");
    await expect.poll(() => failing.getAttribute("data-run"), { timeout: 10_000 }).toBe("fail");
    expect(await passing.locator(".run-badge").textContent()).toBe("✓ complete: policy passed");
    expect(await passing.locator(".run-finding").count()).toBe(0);
    expect(await failing.locator(".run-badge").textContent()).toBe("✗ incomplete: policy failed");
    expect(await failing.locator(".run-finding").allTextContents()).toEqual(["required step skipped: email.customer.refund_receipt"]);
    expect(await failing.locator(".run-finding").getAttribute("data-reason")).toBe("fail.required.missing");
    expect(await failing.locator(".run-policy").textContent()).toBe("sample-app.payments.refund-with-notification.v1");
    // Its calls all succeeded (badge "ok"), yet the card is marked incomplete.
    const failingCard = page.locator('article.chain[data-correlation-id="proof-page-no-receipt"]');
    expect(await failingCard.locator(".badge").textContent()).toBe("ok");
    expect(await failingCard.getAttribute("class")).toContain("chain-incomplete");
    expect(await page.locator(`article.chain[data-correlation-id="${passingId}"]`).getAttribute("class")).not.toContain("chain-incomplete");
    await page.screenshot({ path: join(REPO_ROOT, ".tmp", "proof-page-runs.png"), fullPage: true });
    // A chain the policy does not cover (the declined card) has no run.
    expect(await page.locator('article.chain[data-correlation-id="proof-page-declined-1"] section.run').count()).toBe(0);

    // The failing flow's bundle, downloaded from the page, verifies offline against the keys handed over separately.
    const keys = join(dir, "keys.json");
    writeFileSync(keys, execFileSync(process.execPath, [CLI, "keys", "export", join(dir, "evidence")], { encoding: "utf8" }));
    const verifyDownload = async (run: Locator) => {
      const [download] = await Promise.all([page.waitForEvent("download"), run.locator("a.bundle-link").click()]);
      expect(download.suggestedFilename()).toMatch(/^flow_[0-9a-f]+\.proof\.tar(\.zst)?$/);
      const saved = join(dir, download.suggestedFilename());
      await download.saveAs(saved);
      return JSON.parse(execFileSync(process.execPath, [CLI, "verify", saved, "--keys", keys, "--json"], { encoding: "utf8" })) as {
        status: string;
        findings: unknown[];
        untrusted_bundle_keys: unknown[];
        run: { bundled_status: string; replay_status: string; replay_matches: boolean; failing_findings: Array<{ human_summary: string }> };
      };
    };
    const failed = await verifyDownload(failing);
    expect(failed).toMatchObject({ status: "pass", findings: [], untrusted_bundle_keys: [] });
    expect(failed.run).toMatchObject({ bundled_status: "fail", replay_status: "fail", replay_matches: true });
    expect(failed.run.failing_findings.map((f) => f.human_summary)).toEqual(["required step skipped: email.customer.refund_receipt"]);
    const passed = await verifyDownload(passing);
    expect(passed).toMatchObject({ status: "pass", findings: [] });
    expect(passed.run).toMatchObject({ bundled_status: "pass", replay_status: "pass", replay_matches: true, failing_findings: [] });
  });
});
