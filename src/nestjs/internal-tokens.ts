// Tokens the module uses between its own providers; not part of the public API.

/** The validated, defaulted module settings (`ModuleSettings`). */
export const INTENTPROOF_SETTINGS = Symbol("intentproof:nestjs:settings");
