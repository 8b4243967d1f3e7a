import { describe, expect, it } from "vitest";
import * as entry from "../../src/express.js";

describe("intentproof/express entry", () => {
  it("exports exactly the documented runtime API", () => {
    expect(Object.keys(entry).sort()).toEqual(["intentproof", "recordRoute"]);
    expect(typeof entry.intentproof).toBe("function");
    expect(typeof entry.recordRoute).toBe("function");
  });
});
