// Child process of error-summary-at-shutdown.test.ts: 20 failed deliveries
// with the default error output, then the process ends without shutdown().
// argv: <bundled HttpExporter module> <collector url> <"natural" | "process.exit">
import { pathToFileURL } from "node:url";

const [bundle, url, ending] = process.argv.slice(2);
const { HttpExporter } = await import(pathToFileURL(bundle).href);
const http = new HttpExporter({ url });
const event = (n) => ({ id: `event-${n}`, correlationId: "c", intent: "i", action: "a", inputs: {}, status: "ok" });
await Promise.all(Array.from({ length: 20 }, (_, n) => http.send(event(n))));
if (ending === "process.exit") process.exit(0);
