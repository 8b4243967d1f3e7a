// Nest's decorators need the Reflect metadata API before any decorated class loads.
import "reflect-metadata";
import { afterEach } from "vitest";
import { assertNoViolations } from "./event-validator.js";

// Every event a CheckedExporter received during the test must be valid; this
// hook turns recorded violations into a failure of the test that produced them.
afterEach(() => {
  assertNoViolations();
});
