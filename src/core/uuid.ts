// crypto.randomUUID() refills its entropy cache every 128 ids, and on virtual
// machines each refill is a syscall costing microseconds; formatting an id
// then crosses into C++ once more. Here one batch of CSPRNG bytes is turned
// into the text of many ids in JavaScript and decoded with a single call;
// each id is then a slice of that text. The ids are exactly as unpredictable.
const IDS_PER_BATCH = 1024;
const ID_LENGTH = 36;
const DASH = 0x2d;
const HEX_DIGITS = "0123456789abcdef";
// Each byte's two hex digits as one little-endian 16-bit store: half the
// writes, and a measured third of the time, of writing digits one by one.
const DIGIT_PAIR = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) {
  DIGIT_PAIR[byte] = HEX_DIGITS.charCodeAt(byte >> 4) | (HEX_DIGITS.charCodeAt(byte & 15) << 8);
}

const randomBytes = Buffer.allocUnsafe(16 * IDS_PER_BATCH);
// The dashes of the 8-4-4-4-12 layout are written once; refills only write digits.
const batchText = Buffer.alloc(ID_LENGTH * IDS_PER_BATCH, DASH);
const textView = new DataView(batchText.buffer, batchText.byteOffset, batchText.byteLength);
let batch = "";
let nextId = IDS_PER_BATCH;

// `node:crypto` is loaded by the first id, not at import: it is the dearest
// built-in the core needs (a few ms on a small VM, a sizeable share of a cold
// `import "intentproof"`), and the app has often loaded it already by then.
let randomFillSync: ((buffer: Buffer) => void) | undefined;

function refill(): void {
  randomFillSync ??= process.getBuiltinModule("node:crypto").randomFillSync;
  randomFillSync(randomBytes);
  const bytes = randomBytes;
  const text = textView;
  for (let n = 0; n < IDS_PER_BATCH; n++) {
    const from = n * 16;
    const at = n * ID_LENGTH;
    text.setUint16(at, DIGIT_PAIR[bytes[from]!]!, true);
    text.setUint16(at + 2, DIGIT_PAIR[bytes[from + 1]!]!, true);
    text.setUint16(at + 4, DIGIT_PAIR[bytes[from + 2]!]!, true);
    text.setUint16(at + 6, DIGIT_PAIR[bytes[from + 3]!]!, true);
    text.setUint16(at + 9, DIGIT_PAIR[bytes[from + 4]!]!, true);
    text.setUint16(at + 11, DIGIT_PAIR[bytes[from + 5]!]!, true);
    text.setUint16(at + 14, DIGIT_PAIR[(bytes[from + 6]! & 0x0f) | 0x40]!, true); // version 4
    text.setUint16(at + 16, DIGIT_PAIR[bytes[from + 7]!]!, true);
    text.setUint16(at + 19, DIGIT_PAIR[(bytes[from + 8]! & 0x3f) | 0x80]!, true); // RFC variant
    text.setUint16(at + 21, DIGIT_PAIR[bytes[from + 9]!]!, true);
    for (let i = 10; i < 16; i++) text.setUint16(at + 4 + i * 2, DIGIT_PAIR[bytes[from + i]!]!, true);
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
