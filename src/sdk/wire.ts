/**
 * Big-endian byte reading and writing for the message format. The reader
 * signals missing input with `Incomplete` (carrying the total length it
 * needs), so a streaming parser can wait for more bytes and retry; every
 * other problem is a MalformedMessageError from the caller.
 */

/** Thrown by ByteReader when the input ends before a field does. */
export class Incomplete {
  constructor(readonly needed: number) {}
}

export class ByteReader {
  pos = 0;

  constructor(readonly bytes: Uint8Array) {}

  private want(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new Incomplete(at + n);
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.bytes[this.want(1)];
  }

  u16(): number {
    const at = this.want(2);
    const b = this.bytes;
    return (b[at] << 8) | b[at + 1];
  }

  u32(): number {
    const at = this.want(4);
    const b = this.bytes;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }

  /** `n` bytes as a view into the input (no copy). */
  take(n: number): Uint8Array {
    const at = this.want(n);
    return this.bytes.subarray(at, at + n);
  }

  /** A u16 length prefix and that many bytes. */
  lengthPrefixed(): Uint8Array {
    return this.take(this.u16());
  }
}

/** Writes fields into a preallocated array. */
export class ByteWriter {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(v: number): this {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    this.view.setUint32(this.pos, Math.floor(v / 2 ** 32));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
    return this;
  }

  put(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  lengthPrefixed(b: Uint8Array): this {
    return this.u16(b.length).put(b);
  }
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Constant-time equality of two byte arrays (lengths are public): ORs every
 * byte difference and never exits early.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
