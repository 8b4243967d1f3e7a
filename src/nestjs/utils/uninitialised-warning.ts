import { Logger } from "@nestjs/common";

let warned = false;

/**
 * Warns, once per process, that a decorated method ran before any
 * IntentProofModule was initialised (so there is no client to record
 * through). The call itself runs normally: telemetry never blocks work.
 */
export function warnUninitialised(label: string): void {
  if (warned) return;
  warned = true;
  new Logger("IntentProof").warn(
    `${label} ran before IntentProofModule was initialised, so this call was not recorded. ` +
      "Import IntentProofModule.forRoot() in your root module; calls are recorded once it has started. " +
      "(Shown once.)",
  );
}

/** @internal For tests: lets the next early call warn again. */
export function resetUninitialisedWarning(): void {
  warned = false;
}
