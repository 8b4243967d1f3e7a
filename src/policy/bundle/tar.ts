/**
 * The small part of POSIX ustar a proof bundle needs: regular files with
 * short relative names, written deterministically (mode 0644, uid/gid 0,
 * mtime 0, sorted by the caller), and read back into memory with every header
 * checked.
 */
const BLOCK = 512;

export interface TarMember {
  readonly name: string;
  readonly data: Uint8Array;
}

function writeField(header: Buffer, offset: number, length: number, text: string): void {
  header.write(text, offset, length, "utf8");
}

function octal(value: number, length: number): string {
  // length-1 digits and a NUL, as ustar numeric fields are written.
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", base: name };
  const cut = name.lastIndexOf("/", 155);
  const prefix = name.slice(0, cut);
  const base = name.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100) {
    throw new TypeError(`tar: member name too long for ustar: ${name}`);
  }
  return { prefix, base };
}

function header(member: TarMember): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(member.name);
  writeField(block, 0, 100, base);
  writeField(block, 100, 8, octal(0o644, 8));
  writeField(block, 108, 8, octal(0, 8));
  writeField(block, 116, 8, octal(0, 8));
  writeField(block, 124, 12, octal(member.data.length, 12));
  writeField(block, 136, 12, octal(0, 12));
  block.fill(0x20, 148, 156); // checksum counted as spaces
  writeField(block, 156, 1, "0");
  writeField(block, 257, 6, "ustar\0");
  writeField(block, 263, 2, "00");
  writeField(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeField(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** A ustar archive of `members` in the given order. */
export function writeTar(members: readonly TarMember[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const member of members) {
    parts.push(header(member), member.data);
    const padding = (BLOCK - (member.data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Why an archive could not be read. */
export class TarError extends Error {
  override name = "TarError";
}

function readText(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

function readOctal(block: Buffer, offset: number, length: number, what: string): number {
  const text = readText(block, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarError(`tar: bad ${what} field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

// Member names are only keys of a map (nothing is written to disk), but a
// name that would escape a directory is still a sign of a crafted archive.
function checkName(name: string): void {
  if (name === "" || name.startsWith("/") || name.split("/").includes("..")) throw new TarError(`tar: unsafe member name ${JSON.stringify(name)}`);
}

/**
 * The regular files of a tar archive, by name. Directories and pax/GNU
 * metadata entries are skipped; a bad checksum, a truncated member, a name
 * given twice or more than `maxMembers` members is an error.
 */
export function readTar(archive: Buffer, maxMembers = 10_000): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    if (readOctal(block, 148, 8, "checksum") !== sum) throw new TarError(`tar: header checksum mismatch at byte ${offset}`);
    const size = readOctal(block, 124, 12, "size");
    const type = String.fromCharCode(block[156]!);
    const magic = readText(block, 257, 6);
    const prefix = magic === "ustar" ? readText(block, 345, 155) : "";
    const name = prefix === "" ? readText(block, 0, 100) : `${prefix}/${readText(block, 0, 100)}`;
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new TarError(`tar: member ${JSON.stringify(name)} is truncated`);
    if (type === "0" || type === "\0") {
      checkName(name);
      if (members.has(name)) throw new TarError(`tar: member ${JSON.stringify(name)} appears twice`);
      if (members.size >= maxMembers) throw new TarError(`tar: more than ${maxMembers} members`);
      members.set(name, Buffer.from(archive.subarray(start, start + size)));
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return members;
}
