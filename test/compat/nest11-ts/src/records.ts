import { MemoryExporter } from "intentproof";

/** Every record of the app, for the summary main.ts prints. */
export const records = new MemoryExporter();
