/**
 * The proof page's static files (plain HTML, CSS and a little JS), read once
 * at startup and served by both variants of the app.
 */
import { readFileSync } from "node:fs";

export interface StaticAsset {
  contentType: string;
  body: string;
}

// Compiled to sample-app/dist/<folder>/<file>.js, two levels below sample-app/.
const PUBLIC_DIR = new URL("../../public/", import.meta.url);

function load(file: string, contentType: string): StaticAsset {
  return { contentType, body: readFileSync(new URL(file, PUBLIC_DIR), "utf8") };
}

/** The page, by request path. */
export const PROOF_PAGE_ASSETS: ReadonlyMap<string, StaticAsset> = new Map([
  ["/", load("index.html", "text/html; charset=utf-8")],
  ["/app.js", load("app.js", "text/javascript; charset=utf-8")],
  ["/style.css", load("style.css", "text/css; charset=utf-8")],
]);

/**
 * The page shows recorded inputs and outputs, which are attacker-controlled
 * text: it renders them with textContent only, and this policy forbids any
 * script or style not served by the app itself.
 */
export const PROOF_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
