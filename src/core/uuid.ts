// crypto.randomUUID() refills its entropy cache every 128 ids, and on virtual
// machines each refill is a syscall costing microseconds; formatting an id
// then crosses into C++ once more. Here one batch of CSPRNG bytes is turned
// into the text of many ids in JavaScript and decoded with a single call;
// each id is then a slice of that text. The ids are exactly as unpredictable.
const IDS_PER_BATCH = 256;
const ID_LENGTH = 36;
const DASH = 0x2d;
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
// Each byte's two hex digits, and where byte i of an id goes in its text
// (the canonical 8-4-4-4-12 layout skips a dash before bytes 4, 6, 8, 10).
const HIGH_DIGIT = new Uint8Array(256);
const LOW_DIGIT = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  HIGH_DIGIT[byte] = HEX_DIGITS[byte >> 4]!;
  LOW_DIGIT[byte] = HEX_DIGITS[byte & 15]!;
}
const TEXT_OFFSET = new Uint8Array([0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]);

const randomBytes = Buffer.allocUnsafe(16 * IDS_PER_BATCH);
const batchText = Buffer.alloc(ID_LENGTH * IDS_PER_BATCH, DASH);
let batch = "";
let nextId = IDS_PER_BATCH;

// `node:crypto` is loaded by the first id, not at import: it is the dearest
// built-in the core needs (a few ms on a small VM, a sizeable share of a cold
// `import "intentproof"`), and the app has often loaded it already by then.
let randomFillSync: ((buffer: Buffer) => void) | undefined;

function refill(): void {
  randomFillSync ??= process.getBuiltinModule("node:crypto").randomFillSync;
  randomFillSync(randomBytes);
  for (let n = 0; n < IDS_PER_BATCH; n++) {
    const from = n * 16;
    randomBytes[from + 6] = (randomBytes[from + 6]! & 0x0f) | 0x40; // version 4
    randomBytes[from + 8] = (randomBytes[from + 8]! & 0x3f) | 0x80; // RFC variant
    const at = n * ID_LENGTH;
    for (let i = 0; i < 16; i++) {
      const byte = randomBytes[from + i]!;
      const to = at + TEXT_OFFSET[i]!;
      batchText[to] = HIGH_DIGIT[byte]!;
      batchText[to + 1] = LOW_DIGIT[byte]!;
    }
  }
  batch = batchText.toString("latin1");
  nextId = 0;
}

/** A random (version 4, RFC 9562) UUID in its canonical lower-case form. */
export function uuidV4(): string {
  if (nextId === IDS_PER_BATCH) refill();
  const at = nextId++ * ID_LENGTH;
  return batch.slice(at, at + ID_LENGTH);
}
