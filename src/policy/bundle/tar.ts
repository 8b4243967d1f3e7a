/**
 * The small part of POSIX ustar a proof bundle needs: regular files with
 * short relative names, written deterministically (mode 0644, uid/gid 0,
 * mtime 0, sorted by the caller), and read back into memory with every header
 * checked. The reader accepts only what the writer writes: tar readers differ
 * on everything else, and a bundle must show every reader the files verified.
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

/**
 * Why an archive could not be read, with the finding code a verifier reports:
 * `bundle.tar_unexpected_entry` (an entry other than a regular file, or a GNU header),
 * `bundle.tar_trailing_data` (bytes other than zero after the end-of-archive
 * marker), `bundle.tar_invalid` (a bad header, size, name or a missing end
 * marker), `bundle.not_a_tar` (the first block is no tar header at all).
 */
export class TarError extends Error {
  override name = "TarError";
  constructor(
    message: string,
    readonly code: TarErrorCode = "bundle.tar_invalid",
  ) {
    super(message);
  }
}

export type TarErrorCode = "bundle.not_a_tar" | "bundle.tar_invalid" | "bundle.tar_unexpected_entry" | "bundle.tar_trailing_data";

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
// name that would escape a directory is still a sign of a crafted archive; a
// trailing "/" makes other tar readers take the entry for a directory.
function checkName(name: string): void {
  if (name === "" || name.startsWith("/") || name.endsWith("/") || name.split("/").includes("..")) {
    throw new TarError(`tar: unsafe member name ${JSON.stringify(name)}`);
  }
}

const isZero = (bytes: Buffer): boolean => bytes.every((byte) => byte === 0);

function checkChecksum(block: Buffer, offset: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (readOctal(block, 148, 8, "checksum") !== sum) throw new TarError(`tar: header checksum mismatch at byte ${offset}`);
}

// The POSIX ustar header writeTar writes. GNU and v7 headers give the prefix
// field other meanings (Python's tarfile still reads it as a name prefix), so
// readers would not agree on their names. A GNU header is an entry of a kind
// the writer never writes (as a pax or GNU extension entry is); a header with
// neither magic is a broken one.
function checkUstar(block: Buffer, offset: number): void {
  const magic = block.toString("latin1", 257, 265);
  if (magic === "ustar\u000000") return;
  if (magic === "ustar  \u0000") {
    throw new TarError(`tar: the header at byte ${offset} is a GNU tar header; a bundle holds POSIX ustar entries only`, "bundle.tar_unexpected_entry");
  }
  throw new TarError(`tar: the header at byte ${offset} is not POSIX ustar (magic "ustar", version "00")`);
}

// Only what writeTar writes: a regular file. Any other entry (a pax or GNU
// extension header, a link, a directory, type '7') is one other tar readers
// act on, resizing or renaming a member or adding one this reader would not
// see, so the archive would show them other files than the ones verified.
function checkType(block: Buffer, name: string): void {
  const type = block[156]!;
  if (type !== 0x30 && type !== 0) {
    throw new TarError(`tar: entry ${JSON.stringify(name)} has type ${JSON.stringify(String.fromCharCode(type))}; a bundle holds regular files only`, "bundle.tar_unexpected_entry");
  }
}

/**
 * The end-of-archive marker (two zero blocks) at `offset`, and nothing but
 * zero bytes after it: other tar readers may read on past a zero block
 * (GNU tar --ignore-zeros), and would find members this reader never saw.
 */
function checkEnd(archive: Buffer, offset: number): void {
  if (offset + 2 * BLOCK > archive.length) throw new TarError(`tar: the end-of-archive marker (two zero blocks) at byte ${offset} is cut short`);
  const trailing = archive.subarray(offset);
  if (!isZero(trailing)) {
    throw new TarError(`tar: non-zero bytes follow the end of the archive (byte ${offset + trailing.findIndex((byte) => byte !== 0)})`, "bundle.tar_trailing_data");
  }
}

/**
 * The regular files of a tar archive as writeTar writes it, by name. Anything
 * else is a TarError: another entry type, a bad checksum or size, a truncated
 * member, an unsafe name or one given twice, more than `maxMembers` members,
 * or anything but zero bytes from the end-of-archive marker on.
 */
export function readTar(archive: Buffer, maxMembers = 10_000): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > archive.length) {
      if (offset === 0) throw new TarError(`tar: not a tar archive (${archive.length} bytes)`, "bundle.not_a_tar");
      throw new TarError(`tar: the archive ends at byte ${archive.length} without an end-of-archive marker`);
    }
    const block = archive.subarray(offset, offset + BLOCK);
    if (isZero(block)) {
      checkEnd(archive, offset);
      return members;
    }
    try {
      checkChecksum(block, offset);
    } catch (error) {
      // A first block that is no header: not a tar at all, rather than a changed one.
      throw offset === 0 ? new TarError(`tar: not a tar archive (${(error as Error).message.replace(/^tar: /, "")})`, "bundle.not_a_tar") : error;
    }
    checkUstar(block, offset);
    const size = readOctal(block, 124, 12, "size");
    const prefix = readText(block, 345, 155);
    const name = prefix === "" ? readText(block, 0, 100) : `${prefix}/${readText(block, 0, 100)}`;
    checkType(block, name);
    const start = offset + BLOCK;
    const end = start + Math.ceil(size / BLOCK) * BLOCK;
    if (end > archive.length) throw new TarError(`tar: member ${JSON.stringify(name)} is truncated`);
    if (!isZero(archive.subarray(start + size, end))) throw new TarError(`tar: the padding after member ${JSON.stringify(name)} is not zero`);
    checkName(name);
    if (members.has(name)) throw new TarError(`tar: member ${JSON.stringify(name)} appears twice`);
    if (members.size >= maxMembers) throw new TarError(`tar: more than ${maxMembers} members`);
    members.set(name, Buffer.from(archive.subarray(start, start + size)));
    offset = end;
  }
}
