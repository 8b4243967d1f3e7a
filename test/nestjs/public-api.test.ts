// Pins the runtime exports of `intentproof/nestjs`, so a refactor cannot drop one silently.
import { describe, expect, it } from "vitest";
import * as nestjs from "../../src/nestjs.js";

describe("intentproof/nestjs entry", () => {
  it("exports exactly the documented names", () => {
    expect(Object.keys(nestjs).sort()).toEqual([
      "CorrelationId",
      "INTENTPROOF_MODULE_OPTIONS",
      "IntentProof",
      "IntentProofInterceptor",
      "IntentProofMiddleware",
      "IntentProofModule",
    ]);
  });

  it("exposes forRoot and forRootAsync", () => {
    expect(typeof nestjs.IntentProofModule.forRoot).toBe("function");
    expect(typeof nestjs.IntentProofModule.forRootAsync).toBe("function");
    expect(typeof nestjs.INTENTPROOF_MODULE_OPTIONS).toBe("symbol");
  });
});
