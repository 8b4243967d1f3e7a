/** Bounded closed-loop load for the reliability tests, plus the small statistics they report. */

export interface LoadResult {
  requests: number;
  failures: Array<{ status: number | string; body: string }>;
  latenciesMs: number[];
}

/**
 * Runs `concurrency` workers, each sending one request after the other until
 * `durationMs` has passed; with `ratePerSecond`, request starts are paced to
 * that rate overall (steady traffic rather than as fast as possible). A
 * request that does not answer 2xx, or throws, is a failure.
 */
export async function runLoad(
  send: (sequence: number) => Promise<Response>,
  { concurrency, durationMs, ratePerSecond }: { concurrency: number; durationMs: number; ratePerSecond?: number },
): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, failures: [], latenciesMs: [] };
  const startedAt = Date.now();
  const stopAt = startedAt + durationMs;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const mine = sequence++;
      if (ratePerSecond !== undefined) {
        const due = startedAt + (mine * 1000) / ratePerSecond;
        if (due >= stopAt) return;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      const started = performance.now();
      try {
        const response = await send(mine);
        const body = await response.text();
        if (response.status < 200 || response.status >= 300) result.failures.push({ status: response.status, body });
      } catch (error) {
        result.failures.push({ status: "network", body: String(error) });
      }
      result.latenciesMs.push(performance.now() - started);
      result.requests++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Samples `heapUsed` every `everyMs` until stopped; returns the highest value seen, in bytes. */
export function sampleHeap(everyMs = 50): { stop(): number } {
  let max = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    max = Math.max(max, process.memoryUsage().heapUsed);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, process.memoryUsage().heapUsed);
    },
  };
}
