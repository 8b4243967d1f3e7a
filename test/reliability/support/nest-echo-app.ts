// Loaded lazily so the rest of a test file does not depend on the Nest entry loading.
export async function startNestEchoApp() {
  const { startNestEchoApp: start } = await import("./nest-apps.js");
  return start();
}
