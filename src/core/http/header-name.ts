// RFC 9110 `token`: exactly what Node's setHeader accepts as a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Whether `value` can name an HTTP header (the correlation header, for instance). */
export function isHeaderName(value: unknown): value is string {
  return typeof value === "string" && HEADER_NAME.test(value);
}

/** The rule as option errors state it. */
export const HEADER_NAME_RULE = "must be a valid HTTP header name (RFC 9110 token)";
