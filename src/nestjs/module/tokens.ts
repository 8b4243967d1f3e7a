/**
 * Injection token of the options `IntentProofModule.forRoot()` was given, or
 * that the `forRootAsync()` factory returned: inject it with
 * `@Inject(INTENTPROOF_MODULE_OPTIONS)` to read them back.
 */
export const INTENTPROOF_MODULE_OPTIONS = Symbol.for("intentproof:nestjs:module-options");

/** @internal The validated, defaulted module settings (`ModuleSettings`), shared by the module's own providers. */
export const INTENTPROOF_SETTINGS = Symbol("intentproof:nestjs:settings");
