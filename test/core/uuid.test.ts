import { describe, expect, it } from "vitest";
import { uuidV4 } from "../../src/core/uuid.js";
import { isUuidV4 } from "../support/event-validator.js";

describe("uuidV4", () => {
  it("produces canonical, version-4, RFC-variant ids that do not repeat across pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = uuidV4();
      expect(isUuidV4(id)).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it("returns independent strings (the shared text buffer is not aliased)", () => {
    const first = uuidV4();
    const copy = `${first}`;
    uuidV4();
    expect(first).toBe(copy);
  });

  it("uses every hex digit position (not a counter)", () => {
    const positions = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...uuidV4()].forEach((ch, at) => positions[at]!.add(ch));
    const varying = positions.filter((chars) => chars.size > 1).length;
    // 32 hex digits minus the fixed version digit; the variant digit takes 4 values.
    expect(varying).toBe(31);
  });
});
