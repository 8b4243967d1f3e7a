import type { WrapPlan } from "../../core/wrap-plan.js";

/** One `@IntentProof` method: what it records, prepared when its class was defined. */
export interface DecoratedSite {
  /** `Class.method`, for messages. */
  readonly label: string;
  readonly plan: WrapPlan;
  /**
   * The plan for a request refused before the handler ran (a guard or a
   * pipe): the method's arguments do not exist then, so `captureInput` is
   * left out and the request's params, query and body are recorded instead.
   */
  readonly refusalPlan: WrapPlan;
}

// Stored on the replacement function as reflect-metadata, so that it survives
// another decorator wrapping ours the way we wrap the original (copying the
// metadata along), and looked up through a WeakMap cache so that the
// per-request cost for a handler is one map lookup.
const SITE_METADATA = Symbol.for("intentproof:nestjs:decorated-site");
const siteByHandler = new WeakMap<Function, DecoratedSite | null>();

export function markDecorated(replacement: Function, site: DecoratedSite): void {
  Reflect.defineMetadata(SITE_METADATA, site, replacement);
  siteByHandler.set(replacement, site);
}

/** The `@IntentProof` site of a route handler, or `undefined` for an undecorated one. */
export function siteOfHandler(handler: Function): DecoratedSite | undefined {
  let site = siteByHandler.get(handler);
  if (site === undefined) {
    site = (Reflect.getMetadata(SITE_METADATA, handler) as DecoratedSite | undefined) ?? null;
    siteByHandler.set(handler, site);
  }
  return site ?? undefined;
}
