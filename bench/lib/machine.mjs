import os from "node:os";
import { readFileSync } from "node:fs";

/** What the numbers were measured on, for the JSON file and the README snippet. */
export function machineInfo() {
  const cpus = os.cpus();
  let packageVersion;
  try {
    packageVersion = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  } catch {
    packageVersion = "unknown";
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    intentproof: packageVersion,
    date: new Date().toISOString(),
  };
}
