import { fmtAddedNs, fmtAddedUs, fmtBytes, fmtCpu, fmtMs, fmtNs, fmtRate, fmtRatio, markdownTable, textTable, verdict, withInterval } from "./table.mjs";

export const CORE_ROWS = [
  ["plain", "plain function (sync)", undefined],
  ["wrapped", "client.wrap, sync (MemoryExporter 1000)", "wrapped"],
  ["wrappedTwoMemory", "client.wrap, sync, two MemoryExporters (one shared event, no copy)", undefined],
  ["wrappedCustomExporter", "client.wrap, sync, MemoryExporter + a custom exporter (one event copy)", undefined],
  ["otelSpan", "OpenTelemetry startActiveSpan (ALS context manager, ring processor)", "otelSpan"],
  ["plainAsync", "plain async function", undefined],
  ["wrappedAsync", "client.wrap, async (MemoryExporter 1000)", "wrappedAsync"],
];

const baselineOf = (variant) => (variant === "wrappedAsync" ? "plain async" : "plain");

function coreRows(core) {
  return CORE_ROWS.map(([key, label, comparison]) => {
    const c = comparison ? core.comparisons[comparison] : undefined;
    return [
      label,
      fmtNs(core.medians[key]),
      c ? fmtRatio(c.ratio) : "",
      c ? fmtAddedNs(c.addedNs) : "",
      c ? baselineOf(key) : "(baseline)",
    ];
  });
}

export const HTTP_LABELS = {
  express: {
    bare: "Express 5, bare",
    middleware: "+ app.use(intentproof())",
    recorded: "+ recordRoute + 1 wrapped call",
    als: "reference: bare + AsyncLocalStorage.run middleware",
    next: "reference: bare + a middleware that only calls next()",
    "hand-recorded": "reference: bare + the same two events, hand-written, no checks",
    "wrapped-call": "+ app.use(intentproof()) + 1 wrapped call (no recordRoute)",
    "route-only": "+ app.use(intentproof()) + recordRoute (no wrapped call)",
    spin5: "control: bare + a middleware running 5 µs of plain JavaScript",
  },
  nest: {
    bare: "Nest 12 (Express), bare",
    undecorated: "+ IntentProofModule, route undecorated",
    decorated: "+ @IntentProof handler + 1 @IntentProof service",
    "hand-recorded": "reference: bare + the same two events, hand-written, no checks",
  },
};

/** The CPU a variant adds over bare, with its 95% interval ("baseline" for bare itself). */
function addedCpuCell(variant, r) {
  return variant === "bare" ? "baseline" : withInterval(fmtAddedUs(r.medianAddedCpuUsPerRequest), r.addedCpuInterval, (x) => x.toFixed(1));
}

function httpRows(name, part) {
  return Object.entries(part.variants).map(([variant, r]) => [
    HTTP_LABELS[name][variant] ?? variant,
    fmtRate(r.medianReqPerSec),
    variant === "bare" ? "baseline" : withInterval(fmtRatio(r.ratioVsBaseline, 3), r.ratioInterval, (x) => x.toFixed(3)),
    r.runsReqPerSec.map((x) => Math.round(x)).join(" / "),
    fmtCpu(r),
    fmtRatio(r.cpuRatioVsBaseline, 3),
    addedCpuCell(variant, r),
    `${r.medianLatencyP99Ms} ms`,
    String(r.eventsKept),
    part.targets[variant] ? `≥ ${part.targets[variant].minRatio}: ${verdict(part.targets[variant].met)}` : "",
  ]);
}

/** [variant label, CPU/req, added over bare, target] rows of the one-process section. */
export function oneProcessRows(part) {
  const rows = [];
  for (const [app, result] of Object.entries(part.apps)) {
    const target = part.targets[app];
    for (const [variant, r] of Object.entries(result.variants)) {
      rows.push([
        HTTP_LABELS[app][variant] ?? variant,
        fmtCpu(r),
        addedCpuCell(variant, r),
        target?.variant === variant ? `≤ +${target.maxAddedUs} µs: ${verdict(target.met)}` : "",
      ]);
    }
  }
  return rows;
}

// Variants whose requests must each produce events.
const RECORDING_VARIANTS = new Set(["recorded", "decorated", "hand-recorded"]);

const unavailable = (part) => part?.notAvailable !== undefined && part.variants === undefined;

/** [measure, value, target] rows of the evidence and policy sections, for both reports. */
export function evidencePolicyRows(results) {
  const rows = [];
  const { evidence, policy } = results;
  if (evidence?.caller) {
    const t = evidence.targets;
    rows.push(["wrapped call + EvidenceExporter, added on the caller's path", fmtAddedNs(evidence.caller.medianAddedNsPerCall), `≤ +300 ns: ${verdict(t.callerAddedNs.met)}`]);
    if (evidence.caller.sameProcess) {
      rows.push(["  the same, both clients in one process (paired bursts)", fmtAddedNs(evidence.caller.sameProcess.medianAddedNsPerCall), ""]);
    }
    rows.push(["sealed + signed + durably logged events/s", fmtRate(evidence.throughput.eventsPerSecond), `≥ 10,000: ${verdict(t.eventsPerSecond.met)}`]);
    rows.push(["added p99 event-loop delay at 5,000 events/s", fmtMs(evidence.loop.addedP99Ms), `< 5 ms: ${verdict(t.addedP99Ms.met)}`]);
    if (evidence.slowDisk) {
      rows.push(["slow disk: burst, backlog cap, dropped", `${evidence.slowDisk.burst} / ${evidence.slowDisk.maxBacklog} / ${evidence.slowDisk.dropped}`, "bounded"]);
    }
  } else if (evidence?.error) rows.push(["evidence", `failed: ${evidence.error}`, ""]);
  if (policy?.evaluate_10_events_3_rules_us !== undefined) {
    rows.push(["policy: 10-event flow × 3-rule policy", `${policy.evaluate_10_events_3_rules_us.toFixed(1)} µs`, `≤ 50 µs: ${verdict(policy.target.met)}`]);
    rows.push(["FlowMonitor.export() on the caller's path", `${(policy.monitor_export_us * 1000).toFixed(0)} ns`, ""]);
  } else if (policy?.error) rows.push(["policy", `failed: ${policy.error}`, ""]);
  return rows;
}

/** Prints the result tables, then a Markdown snippet for the README, to stdout. */
export function printReport(results) {
  const out = [];
  const m = results.machine;
  out.push("", `IntentProof ${m.intentproof} bench (${results.settings.mode}) — Node ${m.node}, ${m.cpu} × ${m.cores}, ${m.date}`);
  const load = results.loadAverage;
  out.push(`1-minute load average: ${load.atStart.toFixed(2)} at start, ${load.atEnd.toFixed(2)} at end`);
  if (Math.max(load.atStart, load.atEnd) > m.cores / 2) {
    out.push(`warning: the machine was busy (load > ${m.cores / 2} on ${m.cores} cores); the numbers are noisy, rerun on an idle machine.`);
  }
  if (results.settings.mode === "quick") out.push("--quick is a smoke run: too short to warm up or settle; do not quote these numbers.");

  const { core, memory } = results;
  if (core?.medians) {
    const over = core.processes > 1 ? `, in ${core.processes} fresh processes (the median of their medians)` : "";
    out.push("", `Core: ns per call, median of ${core.rounds} interleaved rounds (${core.iterations} sync / ${core.asyncIterations} async calls each)${over}`);
    out.push(textTable(["variant", "median", "ratio", "added", "vs"], coreRows(core)));
    out.push(`target ≤ 1,000 ns added per sync wrapped call: ${verdict(core.target.met)} (${fmtAddedNs(core.comparisons.wrapped.addedNs)})`);
    const spanShare = core.comparisons.wrapped.addedNs / core.comparisons.otelSpan.addedNs;
    out.push(`target added by a wrap ≤ 0.4 × added by an OpenTelemetry span: ${verdict(spanShare <= 0.4)} (${fmtRatio(spanShare)})`);
  } else if (core?.error) out.push("", `Core: failed: ${core.error}`);

  if (memory?.heapAtEnd !== undefined) {
    out.push("", `Memory: ${memory.calls.toLocaleString("en-US")} sync wrapped calls, heapUsed after gc()`);
    out.push(
      textTable(
        ["point", "heapUsed"],
        [
          ["before the first call", fmtBytes(memory.heapStart)],
          [`after ${memory.checkpoint.toLocaleString("en-US")} calls`, fmtBytes(memory.heapAtCheckpoint)],
          [`after ${memory.calls.toLocaleString("en-US")} calls`, fmtBytes(memory.heapAtEnd)],
          ["growth (checkpoint → end)", fmtBytes(memory.growthBytes)],
        ],
      ),
    );
    out.push(`flat (growth < 1 MiB): ${verdict(memory.target.met)}; events kept: ${memory.eventsKept}`);
  } else if (memory?.error) out.push("", `Memory: failed: ${memory.error}`);

  const imp = results.import;
  if (imp?.probes) {
    out.push("", "Cold import: median ms inside a fresh node process");
    out.push(
      textTable(
        ["import", "median", "runs"],
        [
          ...Object.entries(imp.probes).map(([name, r]) => [name, fmtMs(r.medianMs), r.runsMs.map((x) => x.toFixed(1)).join(" ")]),
          ...Object.entries(imp.notAvailable).map(([name, why]) => [name, "not available", why]),
        ],
      ),
    );
    out.push(`target import intentproof < 25 ms: ${verdict(imp.target.met)}`);
  } else if (imp?.error) out.push("", `Cold import: failed: ${imp.error}`);

  for (const name of ["express", "nest"]) {
    const part = results[name];
    if (part === undefined) continue;
    const title = name === "express" ? "Express" : "Nest on Express";
    if (unavailable(part)) out.push("", `${title}: not available (${part.notAvailable})`);
    else if (part.error) out.push("", `${title}: failed: ${part.error}`);
    else {
      const { rounds, durationSec } = results.settings.http;
      out.push(
        "",
        `${title}: req/s over ${rounds} round${rounds === 1 ? "" : "s"}, each loading every variant twice for ${durationSec}s in mirrored order` +
          " (autocannon, 10 connections, POST /refunds); ratio and CPU: medians over rounds of this variant against bare in the same round",
      );
      out.push(textTable(["variant", "req/s", "ratio", "rounds", "CPU/req", "CPU ratio", "CPU added", "p99", "events", "target"], httpRows(name, part)));
      for (const [variant, r] of Object.entries(part.variants)) {
        if (RECORDING_VARIANTS.has(variant) && (r.eventsKept === 0 || r.lastEventStatus !== "ok")) {
          out.push(`warning: ${variant} recorded ${r.eventsKept} events (last status ${r.lastEventStatus}); it should record every request`);
        }
      }
      out.push(
        "CPU/req: the server process's CPU time per request (user + system; GC: the garbage collector's pauses within it);" +
          " CPU ratio = bare's CPU/req ÷ this one's (a second view of the same cost); CPU added = this one's CPU/req − bare's.",
      );
      const baseline = Object.values(part.variants)[0];
      if (baseline.processes > 1) {
        out.push(
          `Each variant ran in ${baseline.processes} server processes, its rounds spread over them; the same bare app` +
            ` differed by ${fmtRatio(baseline.processSpread, 3)} between its fastest and slowest process (median req/s).`,
        );
      }
      const failed = Object.values(part.variants).reduce((n, r) => n + r.failedRequests, 0);
      if (failed > 0) out.push(`warning: ${failed} requests failed (non-2xx, errors or timeouts)`);
    }
  }

  const oneProcess = results["one-process"];
  if (oneProcess?.apps) {
    const c = results.settings.oneProcess;
    out.push(
      "",
      `Every variant of an app in one server process: ${c.processes} process${c.processes === 1 ? "" : "es"} × ${c.rounds} round${c.rounds === 1 ? "" : "s"}, each loading every variant twice for ${c.durationSec}s in mirrored order;` +
        " added = median over rounds of (CPU/req − bare's CPU/req, same process and round)",
    );
    out.push(textTable(["variant", "CPU/req", "added over bare", "target"], oneProcessRows(oneProcess)));
    for (const [app, result] of Object.entries(oneProcess.apps)) {
      if (result.eventsKept === 0 || result.lastEventStatus !== "ok") {
        out.push(`warning: the ${app} apps kept ${result.eventsKept} events (last status ${result.lastEventStatus}); the recording ones should record every request`);
      }
      const failed = Object.values(result.variants).reduce((n, r) => n + r.failedRequests, 0);
      if (failed > 0) out.push(`warning: ${failed} ${app} requests failed (non-2xx, errors or timeouts)`);
    }
  } else if (oneProcess?.error) out.push("", `One process: failed: ${oneProcess.error}`);
  else if (oneProcess?.skipped) out.push("", `One process: skipped (${oneProcess.skipped})`);

  const evidenceAndPolicy = evidencePolicyRows(results);
  if (evidenceAndPolicy.length > 0) {
    out.push("", "Evidence and completeness");
    out.push(textTable(["measure", "value", "target"], evidenceAndPolicy));
  }

  out.push("", "---- README snippet ----", "", markdownSnippet(results), "", "------------------------");
  process.stdout.write(`${out.join("\n")}\n`);
}

function markdownSnippet(results) {
  const m = results.machine;
  const lines = [];
  lines.push(
    `Measured with \`npm run bench\` on Node ${m.node}, ${m.cpu} (${m.cores} cores), ${m.date.slice(0, 10)}.` +
      " Medians of interleaved rounds; your numbers will differ, the ratios are what to compare.",
  );
  const { core, memory } = results;
  if (core?.medians) {
    lines.push("", markdownTable(["per call", "median", "vs baseline"], coreRows(core).map(([label, med, ratio, added, vs]) =>
      [label, med, added ? `${added} (${ratio} of ${vs})` : "baseline"],
    )));
  }
  const facts = [];
  if (memory?.heapAtEnd !== undefined) {
    facts.push(
      `Heap after ${memory.checkpoint.toLocaleString("en-US")} / ${memory.calls.toLocaleString("en-US")} wrapped calls` +
        ` (MemoryExporter of 1000): ${fmtBytes(memory.heapAtCheckpoint)} / ${fmtBytes(memory.heapAtEnd)}.`,
    );
  }
  const imp = results.import?.probes;
  if (imp) {
    const parts = Object.entries(imp).map(([name, r]) => `\`${name.replace(/^(import|require) /, (_, k) => `${k} `)}\` ${fmtMs(r.medianMs)}`);
    facts.push(`Cold import: ${parts.join(", ")}.`);
  }
  if (facts.length) lines.push("", ...facts);
  for (const name of ["express", "nest"]) {
    const part = results[name];
    if (!part?.variants) continue;
    lines.push(
      "",
      markdownTable(
        [name === "express" ? "Express 5 (autocannon, 10 connections)" : "NestJS 12 on Express", "req/s", "vs bare", "server CPU per request: user + system; GC"],
        Object.entries(part.variants).map(([variant, r]) => [
          HTTP_LABELS[name][variant] ?? variant,
          fmtRate(r.medianReqPerSec),
          fmtRatio(r.ratioVsBaseline),
          fmtCpu(r),
        ]),
      ),
    );
  }
  return lines.join("\n");
}
