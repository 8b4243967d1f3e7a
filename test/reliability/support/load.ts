/** Bounded closed-loop load for the reliability tests, plus the small statistics they report. */

export interface LoadResult {
  requests: number;
  failures: Array<{ status: number | string; body: string }>;
  latenciesMs: number[];
}

/**
 * Runs `concurrency` workers, each sending one request after the other until
 * `durationMs` has passed. A request that does not answer 2xx, or throws, is
 * a failure.
 */
export async function runLoad(
  send: (sequence: number) => Promise<Response>,
  { concurrency, durationMs }: { concurrency: number; durationMs: number },
): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, failures: [], latenciesMs: [] };
  const stopAt = Date.now() + durationMs;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const started = performance.now();
      try {
        const response = await send(sequence++);
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
