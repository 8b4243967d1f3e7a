/**
 * A bundle's archive must be read alike by every tar reader: the verifier
 * reads only what the bundle writer writes (regular-file entries in POSIX
 * ustar headers, then the end-of-archive marker and zero bytes to the end)
 * and fails anything else. Otherwise a signed bundle could carry a second
 * set of members that `tar -x` or Python's tarfile extract (a pax header
 * resizing a member over the rest of the archive, entries of type '7', an
 * archive appended after the end) while `verify --require-signed` passes on
 * the honest ones.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { verifyBundleCommand } from "../../src/cli/commands/verify-bundle.js";
import { readTar, TarError } from "../../src/policy/bundle/tar.js";
import { verifyBundleArchive, verifyBundleFile } from "../../src/policy/bundle/verify-bundle-file.js";
import { runCommand } from "./support/cli.js";
import { archive, saveFile, signedBundle, tarEntry, tarHeader, type SignedBundle } from "./support/signed-bundle.js";

let honest: SignedBundle;
/** Another flow's members (a failing one: no notification), the ones a shadow would show. */
let shadow: Map<string, Buffer>;

beforeAll(async () => {
  honest = await signedBundle("order-7");
  shadow = (await signedBundle("order-7", ["payments.refund.execute"])).members;
});

const honestTar = () => archive(honest.members);
/** The honest archive without its end-of-archive marker. */
const honestEntries = () => honestTar().subarray(0, -1024);

function codeOf(bytes: Buffer): string | undefined {
  try {
    readTar(bytes);
    return undefined;
  } catch (error) {
    return (error as TarError).code;
  }
}

async function verifyJson(bytes: Buffer, name: string) {
  const path = saveFile(honest.dir, name, bytes);
  const result = await runCommand(verifyBundleCommand, [path, "--keys", honest.keys, "--require-signed", "--json"]);
  return { code: result.code, report: JSON.parse(result.stdout) };
}

describe("the bundle's tar reader accepts only what the bundle writer writes", () => {
  it("the writer's archive verifies, signed", () => {
    expect(verifyBundleArchive(honestTar(), honest.trusted, { requireSigned: true })).toMatchObject({ status: "pass", length_attested: true });
  });

  it("a pax header resizing a member over the honest ones, a shadow flow after a zero block: bundle.tar_unexpected_entry", async () => {
    // As the auditor built it: attestations.jsonl is empty; a pax `size` makes it swallow every honest member and one zero block.
    const rest = new Map([...honest.members].filter(([name]) => name !== "attestations.jsonl"));
    const body = Buffer.concat([archive(rest).subarray(0, -1024), Buffer.alloc(512)]);
    const record = (key: string, value: string) => {
      let length = 0;
      while (`${length} ${key}=${value}\n`.length !== length) length = `${length} ${key}=${value}\n`.length;
      return `${length} ${key}=${value}\n`;
    };
    const pax = Buffer.from(record("size", String(body.length)));
    const crafted = Buffer.concat([tarEntry("PaxHeaders/attestations.jsonl", pax, "x"), tarHeader("attestations.jsonl", 0, "0"), body, archive(shadow)]);
    const { code, report } = await verifyJson(crafted, "pax.proof.tar");
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: "fail", reason: "bundle.tar_unexpected_entry", length_attested: false });
    expect(report.findings).toEqual([expect.objectContaining({ code: "bundle.tar_unexpected_entry", severity: "fail", detail: expect.stringContaining('type "x"') })]);
  });

  it("members of type '7' (a regular file to GNU tar and Python) appended after the honest ones: bundle.tar_unexpected_entry", async () => {
    const sevens = ["flow.json", "events.jsonl", "run.json", "manifest.json"].map((name) => tarEntry(name, shadow.get(name)!, "7"));
    const { code, report } = await verifyJson(Buffer.concat([honestEntries(), ...sevens, Buffer.alloc(1024)]), "seven.proof.tar");
    expect([code, report.reason]).toEqual([1, "bundle.tar_unexpected_entry"]);
  });

  it("anything but zero bytes after the end-of-archive marker, or after a lone zero block: bundle.tar_trailing_data", async () => {
    const appended = Buffer.concat([honestTar(), archive(shadow)]);
    const { code, report } = await verifyJson(appended, "appended.proof.tar");
    expect([code, report.reason]).toEqual([1, "bundle.tar_trailing_data"]);
    expect(codeOf(Buffer.concat([honestEntries(), Buffer.alloc(512), archive(shadow)]))).toBe("bundle.tar_trailing_data");
    expect(codeOf(Buffer.concat([honestTar(), Buffer.from([1])]))).toBe("bundle.tar_trailing_data");
    // Zero padding after the marker (as tar tools pad to a record) is still the same archive.
    expect(codeOf(Buffer.concat([honestTar(), Buffer.alloc(8192)]))).toBeUndefined();
  });

  it("other entry types, GNU or v7 headers, names read as directories, non-zero padding, a missing end marker: each fails", () => {
    const file = Buffer.from("{}\n");
    const cases: Array<[string, Buffer, string]> = [
      ["pax global header", Buffer.concat([tarEntry("g", Buffer.from("11 path=x\n"), "g"), honestTar()]), "bundle.tar_unexpected_entry"],
      ["GNU long name", Buffer.concat([honestEntries(), tarEntry("././@LongLink", Buffer.from("flow.json\0"), "L"), tarEntry("x", file), Buffer.alloc(1024)]), "bundle.tar_unexpected_entry"],
      ["directory", Buffer.concat([tarEntry("keys", Buffer.alloc(0), "5"), honestTar()]), "bundle.tar_unexpected_entry"],
      ["symlink", Buffer.concat([honestEntries(), tarEntry("link", Buffer.alloc(0), "2"), Buffer.alloc(1024)]), "bundle.tar_unexpected_entry"],
      ["GNU magic", Buffer.concat([honestEntries(), tarEntry("extra.json", file, "0", "ustar  \0"), Buffer.alloc(1024)]), "bundle.tar_unexpected_entry"],
      ["v7 header", Buffer.concat([honestEntries(), tarEntry("extra.json", file, "0", "\0\0\0\0\0\0\0\0"), Buffer.alloc(1024)]), "bundle.tar_invalid"],
      ["trailing slash", Buffer.concat([honestEntries(), tarEntry("extra/", file), Buffer.alloc(1024)]), "bundle.tar_invalid"],
      ["non-zero padding", Buffer.concat([honestEntries(), tarEntry("extra.json", file).fill(0x41, 512 + file.length), Buffer.alloc(1024)]), "bundle.tar_invalid"],
      ["one zero block only", Buffer.concat([honestEntries(), Buffer.alloc(512)]), "bundle.tar_invalid"],
      ["no end marker", honestEntries(), "bundle.tar_invalid"],
      ["bad checksum", Buffer.concat([honestEntries(), tarEntry("x", file).fill(0x30, 0, 1), Buffer.alloc(1024)]), "bundle.tar_invalid"],
    ];
    expect(cases.map(([what, bytes]) => [what, codeOf(bytes)])).toEqual(cases.map(([what, , code]) => [what, code]));
  });

  it("a file that is no tar at all stays unusable input (exit 2), and verifyBundleFile gives a failing verdict for a changed archive instead of throwing", async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.alloc(1024, 7)]) {
      expect(codeOf(bytes)).toBe("bundle.not_a_tar");
      const result = await runCommand(verifyBundleCommand, [saveFile(honest.dir, "junk.proof.tar", bytes), "--keys", honest.keys]);
      expect([result.code, result.stderr]).toEqual([2, expect.stringContaining("not a tar archive")]);
    }
    const path = saveFile(honest.dir, "lib.proof.tar", Buffer.concat([honestTar(), archive(shadow)]));
    await expect(verifyBundleFile(path, honest.keys)).resolves.toMatchObject({ status: "fail", reason: "bundle.tar_trailing_data", members: [] });
    const human = await runCommand(verifyBundleCommand, [path, "--keys", honest.keys]);
    expect(human.code).toBe(1);
    expect(human.stdout.split("\n")[0]).toBe(`✗ fail: bundle.tar_trailing_data  ${path}`);
  });
});
