import { describe, expect, it } from "vitest";
import * as entry from "../../src/express.js";

describe("intentproof/express entry", () => {
  // The export names are pinned in test/package/public-api.ts.
  it("exports the middleware and route recorder as functions", () => {
    expect(typeof entry.intentproof).toBe("function");
    expect(typeof entry.recordRoute).toBe("function");
    expect(typeof entry.closeGracefully).toBe("function");
  });
});
