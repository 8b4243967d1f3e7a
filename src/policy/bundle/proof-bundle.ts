/** The library entry point that makes a bundle in memory (verify-bundle-file.ts reads one back). */
import { hasZstd, zstdCompress } from "./compression.js";
import { createBundle, type BundleInput, type BundleManifest } from "./create-bundle.js";
import { writeTar } from "./tar.js";
import type { Flow, Run } from "../types.js";

export interface ProofBundle {
  /** The archive: zstd-compressed tar when the runtime has zstd, plain tar otherwise. */
  readonly bytes: Buffer;
  readonly compressed: boolean;
  /** `<flow_id>.proof.tar.zst` or `<flow_id>.proof.tar`. */
  readonly fileName: string;
  readonly manifest: BundleManifest;
  readonly flow: Flow;
  readonly run: Run;
}

/**
 * A proof bundle of one correlation's signed records (verify them first, e.g.
 * as the `intentproof bundle` command does), for a download or a file.
 */
export function createProofBundle(input: BundleInput, options: { compress?: boolean } = {}): ProofBundle {
  const bundle = createBundle(input);
  const tar = writeTar(bundle.members);
  // zstd by default where the runtime has it; `compress: false` for a plain tar.
  const compressed = (options.compress ?? true) && hasZstd();
  return {
    bytes: compressed ? zstdCompress(tar) : tar,
    compressed,
    fileName: `${bundle.flow.flow_id}.proof.tar${compressed ? ".zst" : ""}`,
    manifest: bundle.manifest,
    flow: bundle.flow,
    run: bundle.run,
  };
}
