/**
 * Makes `replacement` look like `original` to everything that inspects a
 * method: its `name` and `length`, and every reflect-metadata entry defined
 * on the function (string and symbol keys). Nest stores route paths, HTTP
 * methods, guards, pipes, interceptors and `@HttpCode` there, and so does
 * Swagger: a decorator that swapped the function without them would make the
 * routes declared below it vanish.
 */
export function copyFunctionMetadata(original: Function, replacement: Function): void {
  Object.defineProperty(replacement, "name", { value: original.name, configurable: true });
  Object.defineProperty(replacement, "length", { value: original.length, configurable: true });
  if (typeof Reflect.getOwnMetadataKeys !== "function") return; // reflect-metadata not loaded: nothing to carry
  for (const key of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), replacement);
  }
}
