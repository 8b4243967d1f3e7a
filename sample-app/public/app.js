// The proof page: fetches /api/chains and draws each chain as a timeline.
// Recorded values are untrusted text, so everything is rendered with
// textContent (never innerHTML).
"use strict";

const REFRESH_MS = 2000;
const CORRELATION_HEADER = "x-intentproof-correlation-id";

const chainsEl = document.getElementById("chains");
const filterEl = document.getElementById("filter");
const statusEl = document.getElementById("status-line");

let lastPayload = "";
let chains = [];
let proof = { log: null, chains: {} };
let runs = {};
let freshId = "";
const openDetails = new Set();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatMs(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function formatTime(iso) {
  const date = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function jsonBlock(value) {
  return el("pre", "json", JSON.stringify(value, null, 2));
}

function errorSummary(error) {
  const code = error.code ? ` (code ${error.code})` : "";
  return `${error.name}: ${error.message}${code}`;
}

function renderStep(step, chain) {
  const item = el("li", `step step-${step.status}`);
  item.dataset.action = step.action;
  item.dataset.eventId = step.id;

  const row = el("div", "step-row");
  const main = el("div", "step-main");
  main.append(el("div", "intent", step.intent), el("code", "action", step.action));

  // Where the step sits inside the chain's time span.
  const span = Math.max(1, chain.durationMs);
  const offset = Date.parse(step.startedAt) - Date.parse(chain.startedAt);
  const track = el("div", "track");
  const bar = el("span", "bar");
  bar.style.left = `${(offset / span) * 100}%`;
  bar.style.width = `max(3px, ${(step.durationMs / span) * 100}%)`;
  track.append(bar);
  track.title = `starts at +${formatMs(offset)}, takes ${formatMs(step.durationMs)}`;

  const outcome = el("div", "outcome");
  outcome.append(el("span", `status status-${step.status}`, step.status), el("span", "duration", formatMs(step.durationMs)));
  row.append(el("span", "dot"), main, track, outcome);
  item.append(row);

  if (step.error) item.append(el("p", "error-message", errorSummary(step.error)));

  const details = el("details", "step-details");
  details.dataset.eventId = step.id;
  details.open = openDetails.has(step.id);
  details.addEventListener("toggle", () => {
    if (details.open) openDetails.add(step.id);
    else openDetails.delete(step.id);
  });
  details.append(el("summary", "", "inputs, output and attributes"));
  const fields = el("dl", "fields");
  const add = (name, value) => {
    const dd = el("dd");
    dd.dataset.field = name;
    dd.append(jsonBlock(value));
    fields.append(el("dt", "", name), dd);
  };
  add("inputs", step.inputs);
  if ("output" in step) add("output", step.output);
  if (step.error) add("error", step.error);
  if (step.attributes) add("attributes", step.attributes);
  add("record", { id: step.id, startedAt: step.startedAt, completedAt: step.completedAt, durationMs: step.durationMs });
  details.append(fields);
  item.append(details);
  return item;
}

// "POST /refunds → 201" when the chain starts at a recorded HTTP handler.
function requestLabel(step) {
  const attributes = (step && step.attributes) || {};
  if (!attributes["http.method"] || !attributes["http.route"]) return "";
  const status = attributes["http.status_code"];
  return `${attributes["http.method"]} ${attributes["http.route"]}${status ? ` → ${status}` : ""}`;
}

// Whether the chain's signed evidence verifies (signatures, chain links, checkpoints).
function proofBadge(chainProof) {
  const status = chainProof ? chainProof.status : "missing";
  const label = { verified: "✓ verified", failed: "✗ tampered", missing: "no evidence" }[status] || status;
  const badge = el("span", `proof proof-${status}`, label);
  badge.dataset.proof = status;
  badge.title =
    status === "verified"
      ? `${chainProof.records} signed record(s): signatures, chain links and checkpoints verify`
      : status === "failed"
        ? chainProof.findings.join("\n")
        : "this chain is not in the evidence log";
  return badge;
}

// Whether the flow is complete: the run of the refund policy the app's flow
// monitor reported, its failing findings, and the flow's proof bundle.
function renderRun(run) {
  const section = el("section", `run run-${run.status}`);
  section.dataset.run = run.status;
  const label = {
    pass: "✓ complete: policy passed",
    fail: "✗ incomplete: policy failed",
    inconclusive: "? inconclusive",
    pending: "… checking (the flow is still open)",
  }[run.status] || run.status;
  const line = el("p", "run-line");
  line.append(el("span", `run-badge run-badge-${run.status}`, label), el("code", "run-policy", run.policyId));
  if (run.status !== "pending") {
    const link = el("a", "bundle-link", "Download proof bundle");
    link.href = run.bundleUrl;
    link.setAttribute("download", "");
    link.title = "Check it offline: npx intentproof verify <bundle> --keys <keys.json>";
    line.append(link);
  }
  section.append(line);
  if (run.findings.length > 0) {
    const list = el("ul", "run-findings");
    for (const finding of run.findings) {
      const item = el("li", `run-finding run-finding-${finding.outcome}`, finding.summary);
      item.dataset.reason = finding.reason;
      item.title = `${finding.ruleId}: ${finding.reason}`;
      list.append(item);
    }
    section.append(list);
  }
  return section;
}

function renderLogProof() {
  const log = proof.log;
  let node = document.getElementById("evidence-line");
  if (!node) {
    node = el("p", "evidence-line");
    node.id = "evidence-line";
    statusEl.after(node);
  }
  if (!log) {
    node.textContent = "";
    return;
  }
  node.dataset.status = log.status;
  node.textContent =
    log.status === "pass"
      ? `Evidence log verifies: ${log.events} signed records, ${log.chains} chains, ${log.checkpoints} checkpoints.`
      : log.status === "fail"
        ? `Evidence log FAILS verification: ${log.findings.join("; ") || "see the chains marked tampered"}`
        : `Evidence unavailable: ${log.findings.join("; ")}`;
}

function renderChain(chain) {
  const card = el("article", `chain chain-${chain.status}`);
  card.dataset.correlationId = chain.correlationId;
  if (chain.correlationId === freshId) card.classList.add("fresh");

  const head = el("header", "chain-head");
  const id = el("code", "correlation-id", chain.correlationId);
  id.title = "Filter by this correlation id";
  id.addEventListener("click", () => setFilter(chain.correlationId));
  const count = chain.steps.length === 1 ? "1 step" : `${chain.steps.length} steps`;
  head.append(el("span", `badge badge-${chain.status}`, chain.status === "ok" ? "ok" : "error"));
  head.append(proofBadge(proof.chains[chain.correlationId]));
  const entry = requestLabel(chain.steps[0]);
  if (entry) head.append(el("span", "request", entry));
  head.append(
    id,
    el("span", "meta", `${count} · ${formatMs(chain.durationMs)} · ${formatTime(chain.startedAt)}`),
  );
  const steps = el("ol", "steps");
  for (const step of chain.steps) steps.append(renderStep(step, chain));
  card.append(head);
  const run = runs[chain.correlationId];
  if (run) card.append(renderRun(run));
  // Every call may have succeeded while the flow still misses a step.
  if (run && run.status === "fail") card.classList.add("chain-incomplete");
  card.append(steps);
  return card;
}

function render() {
  renderLogProof();
  const needle = filterEl.value.trim().toLowerCase();
  const shown = needle ? chains.filter((c) => c.correlationId.toLowerCase().includes(needle)) : chains;
  chainsEl.replaceChildren();
  if (shown.length === 0) {
    const empty = el("div", "empty");
    empty.append(
      el("p", "", needle ? `No chain matches "${filterEl.value.trim()}".` : "No records yet."),
      el("p", "hint", "Press a button above, or run the curl line printed in the terminal."),
    );
    chainsEl.append(empty);
    return;
  }
  for (const chain of shown) chainsEl.append(renderChain(chain));
}

async function refresh() {
  try {
    const response = await fetch("/api/chains", { cache: "no-store" });
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    if (text === lastPayload) return;
    lastPayload = text;
    const payload = JSON.parse(text);
    chains = payload.chains;
    proof = payload.proof || { log: null, chains: {} };
    runs = payload.runs || {};
    render();
  } catch (error) {
    statusEl.textContent = `Could not load records: ${error.message}`;
  }
}

function setFilter(value) {
  filterEl.value = value;
  const url = new URL(window.location.href);
  if (value.trim()) url.searchParams.set("correlationId", value.trim());
  else url.searchParams.delete("correlationId");
  history.replaceState(null, "", url);
  render();
}

async function tryIt(label, path, body) {
  statusEl.textContent = `${label}…`;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    freshId = response.headers.get(CORRELATION_HEADER) || "";
    statusEl.textContent = `${label}: HTTP ${response.status}${freshId ? `, correlation id ${freshId}` : ""}`;
  } catch (error) {
    statusEl.textContent = `${label} failed: ${error.message}`;
  }
  await refresh();
}

document.getElementById("try-refund").addEventListener("click", () =>
  tryIt("Refund", "/refunds", { orderId: "ORD-1042", amountCents: 4999, reason: "requested_by_customer" }),
);
document.getElementById("try-skip-receipt").addEventListener("click", () =>
  tryIt("Refund without receipt", "/refunds?skipReceipt=1", { orderId: "ORD-1042", amountCents: 4999, reason: "requested_by_customer" }),
);
document.getElementById("try-declined").addEventListener("click", () =>
  tryIt("Capture", "/payments/pi_3110_card_declined/capture"),
);
document.getElementById("try-probe").addEventListener("click", () => tryIt("Probe", "/probe"));
filterEl.addEventListener("input", () => setFilter(filterEl.value));
document.getElementById("clear-filter").addEventListener("click", () => setFilter(""));

filterEl.value = new URL(window.location.href).searchParams.get("correlationId") || "";
refresh();
setInterval(refresh, REFRESH_MS);
