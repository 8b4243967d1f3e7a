// The export names themselves are pinned in test/package/public-api.ts.
import { describe, expect, it } from "vitest";
import * as nestjs from "../../src/nestjs.js";

describe("intentproof/nestjs entry", () => {
  it("exposes forRoot and forRootAsync", () => {
    expect(typeof nestjs.IntentProofModule.forRoot).toBe("function");
    expect(typeof nestjs.IntentProofModule.forRootAsync).toBe("function");
    expect(typeof nestjs.INTENTPROOF_MODULE_OPTIONS).toBe("symbol");
  });
});
