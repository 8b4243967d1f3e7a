/** The entries' export names, checked on the sources (the packed build is checked in pack.test.ts). */
import { describe, expect, it } from "vitest";
import { PUBLIC_EXPORTS } from "./public-api.js";

const sources = {
  intentproof: () => import("../../src/index.js"),
  "intentproof/express": () => import("../../src/express.js"),
  "intentproof/nestjs": () => import("../../src/nestjs.js"),
} as const;

describe("public API pin (sources)", () => {
  for (const [entry, load] of Object.entries(sources)) {
    it(`${entry} exports exactly the pinned names`, async () => {
      const names = Object.keys(await load()).sort();
      expect(names).toEqual([...PUBLIC_EXPORTS[entry as keyof typeof PUBLIC_EXPORTS]].sort());
    });
  }
});
