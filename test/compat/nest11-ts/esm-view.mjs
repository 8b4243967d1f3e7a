// The package as an ES module import sees it (the "import" condition), for
// main.ts to compare with what its own require() got.
export * as core from "intentproof";
