import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EMPTY_SET_ROOT } from "../../src/policy/digest.js";

describe("policy digests", () => {
  // Written out in digest.ts so that importing the policy layer hashes nothing.
  it("EMPTY_SET_ROOT is SHA-256 of the empty string", () => {
    expect(EMPTY_SET_ROOT).toBe(`sha256:${createHash("sha256").update("").digest("hex")}`);
  });
});
