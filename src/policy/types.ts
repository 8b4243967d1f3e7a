// The spec-v1 document shapes live beside the core's policy extension point,
// which names them in the client's options; the policy layer uses them from there.
export type * from "../core/extensions/policy-documents.js";
