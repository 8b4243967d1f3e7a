import { ConsoleExporter } from "../exporters/console.js";
import { HttpExporter } from "../exporters/http.js";
import { OptionsReader, isPlainRecord } from "./options/options-reader.js";
import type {
  AnyExporter,
  DefaultWrapOptions,
  IntentProofConfig,
  IntentProofConfigDocument,
  SerializeOptions,
} from "./types.js";

/**
 * The spec's declarative configuration document (`intentproof_config.v1`,
 * `spec/schema/intentproof_config.v1.schema.json`): read with the options
 * toolkit and turned into the programmatic `IntentProofConfig`, with
 * exporters built from their `type`.
 */

const DOCUMENT_FIELDS = ["version", "defaultWrapOptions", "exporters", "correlation", "serialization"] as const;

/** `wrap_options.v1`: the document form takes no hooks, only these flags and labels. */
const DOCUMENT_WRAP_FIELDS = [
  "intent",
  "action",
  "captureInputs",
  "captureOutput",
  "captureError",
  "captureStack",
  "propagateCorrelation",
  "attributes",
  "exporterTimeoutMs",
] as const;

const DOCUMENT_SERIALIZATION_FIELDS = ["maxDepth", "maxStringLength", "redactKeys"] as const;
const EXPORTER_TYPES = ["console", "http", "otel", "custom"] as const;
/** The spec's fields, plus the HttpExporter settings a document may tune. */
const HTTP_EXPORTER_FIELDS = ["type", "endpoint", "headers", "failOpen", "method", "timeoutMs", "maxSockets", "awaitEach"];

/** A config is the document form when it says which version it is. */
export function isConfigDocument(config: unknown): config is IntentProofConfigDocument {
  return isPlainRecord(config) && config.version !== undefined;
}

function exporterFromDocument(entry: unknown, field: string, owner: string): AnyExporter {
  const peek = new OptionsReader(owner, entry, ["type", "endpoint", "headers", "failOpen", "exporter", "method", "timeoutMs", "maxSockets", "awaitEach"], `${field}.`);
  const type = peek.oneOf("type", EXPORTER_TYPES);
  if (type === undefined) peek.fail("type", "is required");
  // failOpen: intentproof always fails open, so either value is accepted and true is what happens.
  switch (type) {
    case "console": {
      new OptionsReader(owner, entry, ["type", "failOpen"], `${field}.`).boolean("failOpen");
      return new ConsoleExporter();
    }
    case "http": {
      const reader = new OptionsReader(owner, entry, HTTP_EXPORTER_FIELDS, `${field}.`);
      reader.boolean("failOpen");
      const endpoint = reader.text("endpoint");
      if (endpoint === undefined) return reader.fail("endpoint", "is required for an http exporter");
      const headers = reader.stringRecord("headers");
      const options = {
        url: endpoint,
        ...(headers !== undefined && { headers }),
        ...(reader.has("method") && { method: reader.raw("method") as string }),
        ...(reader.has("timeoutMs") && { timeoutMs: reader.timeoutMs("timeoutMs") }),
        ...(reader.has("maxSockets") && { maxSockets: reader.raw("maxSockets") as number }),
        ...(reader.has("awaitEach") && { awaitEach: reader.boolean("awaitEach") }),
      };
      try {
        return new HttpExporter(options);
      } catch (error) {
        // Name the document's entry: the exporter's own message names its "url", the document's "endpoint".
        const detail = error instanceof Error ? error.message.replace(/"url"/g, '"endpoint"') : String(error);
        throw new TypeError(`${owner}: "${field}" is not a valid http exporter (${detail})`, { cause: error });
      }
    }
    case "custom": {
      const reader = new OptionsReader(owner, entry, ["type", "failOpen", "exporter"], `${field}.`);
      reader.boolean("failOpen");
      const exporter = reader.raw("exporter");
      if (exporter === undefined) {
        reader.fail("exporter", "is required for a custom exporter (an object with export() or onEvent())", false);
      }
      return exporter as AnyExporter;
    }
    default:
      return peek.fail("type", 'is not supported by this SDK (use "http", "console" or "custom")');
  }
}

/** Validates an `intentproof_config.v1` document and returns the programmatic config it describes. */
export function configFromDocument(document: IntentProofConfigDocument, owner: string): IntentProofConfig {
  const reader = new OptionsReader(owner, document, DOCUMENT_FIELDS);
  if (reader.raw("version") !== 1) reader.fail("version", "must be 1 (intentproof_config.v1)");
  const config: IntentProofConfig = {};
  if (reader.has("defaultWrapOptions")) {
    const wrap = reader.nested("defaultWrapOptions", DOCUMENT_WRAP_FIELDS);
    for (const flag of ["captureOutput", "captureError"] as const) wrap.boolean(flag);
    config.defaultWrapOptions = wrap.values as DefaultWrapOptions;
  }
  const exporters = reader.array("exporters", (entry, field) => exporterFromDocument(entry, field, owner));
  if (exporters !== undefined) config.exporters = exporters;
  if (reader.has("correlation")) {
    reader.nested("correlation", ["headerName", "generateOnMissing"]);
    config.correlation = reader.raw("correlation") as IntentProofConfig["correlation"];
  }
  if (reader.has("serialization")) {
    config.serialization = reader.nested("serialization", DOCUMENT_SERIALIZATION_FIELDS).values as SerializeOptions;
  }
  return config;
}
