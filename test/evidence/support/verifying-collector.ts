/**
 * A local ingest on 127.0.0.1 following the spec's local ingest contract, and
 * really checking what it gets: POST /v1/events with one signed event →
 * 202 accepted; 200 when the same event_id is sent again unchanged
 * (duplicates are harmless); 401 when the key id is not registered; 400 for a
 * schema-invalid record or a bad signature; 409 when the record conflicts
 * with the chain it claims (position taken by another record, or a previous
 * position missing or with another hash).
 */
import type { KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyEd25519 } from "../../../src/evidence/ed25519.js";
import { eventDigest, formatSha256, GENESIS_PREV_HASH } from "../../../src/evidence/event-hash.js";
import { parseKeySet, type PublicKeySet } from "../../../src/evidence/key-set.js";
import type { EvidenceRecord } from "../../../src/evidence/record.js";
import { v1Problems } from "./v1-schema.js";

export interface VerifyingCollector {
  url: string;
  /** Accepted records, in arrival order. */
  accepted: EvidenceRecord[];
  answers: number[];
  duplicates: number;
  setKeys(keys: PublicKeySet): void;
  /** The next `count` requests are answered 503 (or their connection is cut, `cut: true`). */
  failNext(count: number, cut?: boolean): void;
  close(): Promise<void>;
}

export async function startVerifyingCollector(): Promise<VerifyingCollector> {
  let keys = new Map<string, KeyObject>();
  const chains = new Map<string, Map<number, string>>();
  const byEventId = new Map<string, string>();
  const accepted: EvidenceRecord[] = [];
  const answers: number[] = [];
  let failing = 0;
  let cutting = false;
  let duplicates = 0;

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      const answer = (status: number, body: object) => {
        answers.push(status);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      if (failing > 0) {
        failing--;
        if (cutting) {
          answers.push(0);
          req.socket.destroy();
          return;
        }
        return answer(503, { error: "try later" });
      }
      if (req.method !== "POST" || req.url !== "/v1/events") return answer(404, { error: "not found" });
      let record: EvidenceRecord;
      try {
        record = JSON.parse(Buffer.concat(parts).toString("utf8")) as EvidenceRecord;
      } catch {
        return answer(400, { error: "not JSON" });
      }
      const problems = v1Problems(record);
      if (problems.length > 0) return answer(400, { error: "schema", problems });
      const key = keys.get(record.signature.key_id);
      if (key === undefined) return answer(401, { error: "unknown key", key_id: record.signature.key_id });
      const digest = eventDigest(record);
      if (!verifyEd25519(digest, record.signature.value, key)) return answer(400, { error: "bad signature" });
      const hash = formatSha256(digest);
      const seen = byEventId.get(record.event_id);
      if (seen !== undefined) {
        if (seen !== hash) return answer(409, { error: "event_id reused for another record" });
        duplicates++;
        return answer(200, { status: "duplicate" });
      }
      const chainKey = `${record.instance_id}\u0000${record.correlation_id}`;
      let chain = chains.get(chainKey);
      if (chain === undefined) chains.set(chainKey, (chain = new Map()));
      if (chain.has(record.chain_position)) return answer(409, { error: "position taken" });
      const expectedPrev = record.chain_position === 1 ? GENESIS_PREV_HASH : chain.get(record.chain_position - 1);
      if (expectedPrev !== record.prev_event_hash) return answer(409, { error: "chain conflict" });
      chain.set(record.chain_position, hash);
      byEventId.set(record.event_id, hash);
      accepted.push(record);
      return answer(202, { status: "accepted" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    answers,
    get duplicates() {
      return duplicates;
    },
    setKeys: (set) => {
      keys = parseKeySet(set);
    },
    failNext: (count, cut = false) => {
      failing = count;
      cutting = cut;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
