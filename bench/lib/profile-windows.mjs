// Attribution of a V8 CPU profile's samples to the load windows they fall in,
// for bench/profile.mjs: one process serves several variants, loaded one at a
// time, so each sample belongs to the variant loaded at that moment.

/**
 * Self time (µs) per function for each variant. `profile` is a parsed
 * `.cpuprofile` (nodes, samples, timeDeltas, startTime; µs on the monotonic
 * clock); `windows` are `{ variant, fromUs, toUs }` on the same clock
 * (`process.hrtime`, also monotonic), in time order and not overlapping.
 * Samples between windows are left out. A function is keyed by name, file
 * and line (see functionKey; `repoUrl` is cut from the front of the file).
 */
export function selfTimeByWindow(profile, windows, repoUrl = "") {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byVariant = new Map();
  for (const { variant } of windows) if (!byVariant.has(variant)) byVariant.set(variant, new Map());
  let at = profile.startTime;
  let w = 0;
  for (let i = 0; i < profile.samples.length && w < windows.length; i++) {
    const delta = profile.timeDeltas[i];
    at += delta;
    while (w < windows.length && at > windows[w].toUs) w++;
    if (w === windows.length || at < windows[w].fromUs) continue;
    const self = byVariant.get(windows[w].variant);
    const key = functionKey(nodes.get(profile.samples[i]).callFrame, repoUrl);
    self.set(key, (self.get(key) ?? 0) + delta);
  }
  return byVariant;
}

/** "name file:line", with node_modules and the repository's own path shortened. */
export function functionKey({ functionName, url, lineNumber }, repoUrl = "") {
  const file = url.replace(/^.*\/node_modules\//, "").replace(repoUrl, "");
  return `${functionName || "(anonymous)"} ${file}${file ? `:${lineNumber + 1}` : ""}`.trim();
}

/** Which part of the process a function belongs to, for the summary table. */
export function categoryOf(key) {
  if (key.startsWith("(garbage collector)")) return "garbage collector";
  if (key.startsWith("(idle)")) return "idle (waiting for requests)";
  if (key.startsWith("(program)")) return "V8 and Node native code";
  if (/ dist\/[^ ]*$/.test(key)) return "IntentProof";
  if (/ node:/.test(key)) return "Node's JavaScript";
  if (/ [^ ]*:\d+$/.test(key) && !key.includes(" bench/")) return "dependencies (Express, Nest, body-parser, …)";
  if (key.includes(" bench/")) return "the bench app";
  // A native function (`writev`, `now`, a crypto binding) has no file.
  return "native calls (socket writes, crypto, clocks)";
}
