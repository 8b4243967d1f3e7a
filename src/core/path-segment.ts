/** A URL path segment percent-decoded; as it is when its escapes are malformed (`%ZZ`). */
export function decodedPathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
