import autocannon from "autocannon";

export const REQUEST_BODY = JSON.stringify({ orderId: "ord_7f3a91", amountCents: 1250 });

/**
 * One autocannon run against `url` (POST /refunds with a JSON body), for
 * `durationSec` or, when given, for exactly `requests` requests. Returns
 * req/s and what went wrong, so a run with errors or non-2xx answers is
 * reported instead of silently counted.
 */
export async function load(url, { durationSec, requests, connections = 10, pipelining = 1 }) {
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: REQUEST_BODY,
    connections,
    pipelining,
    ...(requests === undefined ? { duration: durationSec } : { amount: requests }),
  });
  const seconds = result.duration > 0 ? result.duration : durationSec;
  return {
    reqPerSec: result.requests.total / seconds,
    total: result.requests.total,
    seconds,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    /** The three above, summed: requests that did not get a 2xx answer. */
    failed: result.non2xx + result.errors + result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
