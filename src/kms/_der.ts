/**
 * The DER (ITU-T X.690) that KMS signatures need: ECDSA signatures as AWS
 * returns them, `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * (RFC 3279 §2.2.3), converted to and from WebCrypto's IEEE P1363 form (r ‖ s,
 * each padded to the curve's size).
 *
 * Decoding is strict DER: definite minimal lengths, minimal positive INTEGERs,
 * no trailing bytes. Anything else is not a signature KMS could have produced,
 * and Verify rejects it.
 */

const SEQUENCE = 0x30;
const INTEGER = 0x02;

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function encodeTlv(tag: number, content: Uint8Array | number[]): Uint8Array {
  const header = [tag, ...encodeLength(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header);
  out.set(content, header.length);
  return out;
}

/** A non-negative big-endian integer as a DER INTEGER: leading zeros dropped, one 0x00 kept if the top bit is set. */
function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return encodeTlv(INTEGER, trimmed[0] & 0x80 ? [0, ...trimmed] : trimmed);
}

interface Tlv {
  tag: number;
  content: Uint8Array;
  /** Offset just past this element. */
  end: number;
}

/** Reads one definite-length, minimally encoded element at `offset`; undefined if malformed. */
function readTlv(der: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset];
  let length = der[offset + 1];
  let at = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || at + count > der.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[at + i];
    at += count;
    // Minimal: long form only from 128 on, with no leading zero byte.
    if (length < 0x80 || der[offset + 2] === 0) return undefined;
  }
  if (at + length > der.length) return undefined;
  return { tag, content: der.subarray(at, at + length), end: at + length };
}

/** A DER INTEGER's content as a positive magnitude of exactly `size` bytes; undefined if not minimal, not positive, or too big. */
function decodePositiveInteger(content: Uint8Array, size: number): Uint8Array | undefined {
  if (content.length === 0 || content[0] & 0x80) return undefined;
  if (content.length > 1 && content[0] === 0 && !(content[1] & 0x80)) return undefined;
  const magnitude = content[0] === 0 ? content.subarray(1) : content;
  if (magnitude.length > size) return undefined;
  const out = new Uint8Array(size);
  out.set(magnitude, size - magnitude.length);
  return out;
}

/** P1363 (r ‖ s, each `size` bytes) → DER ECDSA-Sig-Value. */
export function ecdsaSignatureToDer(p1363: Uint8Array, size: number): Uint8Array {
  const r = encodeUnsignedInteger(p1363.subarray(0, size));
  const s = encodeUnsignedInteger(p1363.subarray(size, 2 * size));
  const body = new Uint8Array(r.length + s.length);
  body.set(r);
  body.set(s, r.length);
  return encodeTlv(SEQUENCE, body);
}

/** DER ECDSA-Sig-Value → P1363 (r ‖ s, each `size` bytes); undefined if it is not strict DER or r, s do not fit. */
export function ecdsaSignatureFromDer(der: Uint8Array, size: number): Uint8Array | undefined {
  const seq = readTlv(der, 0);
  if (!seq || seq.tag !== SEQUENCE || seq.end !== der.length) return undefined;
  const body = seq.content;
  const r = readTlv(body, 0);
  if (!r || r.tag !== INTEGER) return undefined;
  const s = readTlv(body, r.end);
  if (!s || s.tag !== INTEGER || s.end !== body.length) return undefined;
  const rBytes = decodePositiveInteger(r.content, size);
  const sBytes = decodePositiveInteger(s.content, size);
  if (!rBytes || !sBytes) return undefined;
  const out = new Uint8Array(2 * size);
  out.set(rBytes);
  out.set(sBytes, size);
  return out;
}
