/**
 * One audit record as one line of text, and its link in the hash chain.
 *
 * A line is a JSON array of the record's fields in a fixed order, ending with
 * its hash:
 *
 *     [1, sequence, previousHash, time, eventName, principal, account, region,
 *      requestParameters, responseElements, errorCode, errorMessage, keyArns,
 *      readOnly, requestID, eventID, sourceIPAddress, userAgent, hash]
 *
 * (1 is the format; absent values are null). The record's canonical form is
 * the same array without its last element, exactly as JSON.stringify writes
 * it, and
 *
 *     hash = hex(SHA-256(UTF-8(canonical form)))
 *
 * so the hash covers every field, the sequence number and the previous
 * record's hash included; the first record's previousHash is 64 zeros. The
 * stored line is the canonical form with `,"<hash>"` added before its final
 * bracket, so checking a line means hashing its bytes minus that suffix: the
 * check sees exactly what was stored, and never re-serializes. Everything in
 * an AuditEvent that a line does not hold (eventSource, userIdentity, …)
 * follows from these fields (event.ts).
 *
 * The line is compact on purpose: it is what gets hashed on every call (a few
 * hundred bytes for a GenerateDataKey, against about a kilobyte for the
 * CloudTrail JSON), and what the store keeps.
 */
import { sha256 } from "../engine/index.js";
import type { RecordFields } from "./event.js";

export const LINE_FORMAT = 1;
export const GENESIS_HASH = "0".repeat(64);
/** `,"` + 64 hex digits + `"]`. */
const HASH_SUFFIX_LENGTH = 68;
const HASH_SUFFIX = /,"([0-9a-f]{64})"\]$/;
const FIELD_COUNT = 19;

const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);

/** ASCII codes of the two hex digits of each byte value: HEX_CODES[2b], HEX_CODES[2b + 1]. */
const HEX_CODES = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const digits = i.toString(16).padStart(2, "0");
  HEX_CODES[2 * i] = digits.charCodeAt(0);
  HEX_CODES[2 * i + 1] = digits.charCodeAt(1);
}
const asciiDecoder = new TextDecoder();
const hexScratch = new Uint8Array(64);

/**
 * Lower-case hex of up to 32 bytes. The digits are written as ASCII into a
 * buffer and decoded in one call: a third of the time of adding up 32
 * two-letter strings, and one flat string instead of 32 pieces.
 */
export function toHex(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, 32);
  for (let i = 0; i < n; i++) {
    hexScratch[2 * i] = HEX_CODES[2 * bytes[i]];
    hexScratch[2 * i + 1] = HEX_CODES[2 * bytes[i] + 1];
  }
  return asciiDecoder.decode(hexScratch.subarray(0, 2 * n));
}

/** The same, for a UUID: 16 bytes as 8-4-4-4-12 hex digits, version 4 and the RFC 9562 variant set. */
export function uuidText(b: Uint8Array): string {
  const out = uuidScratch;
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 0x2d; // "-"
    const v = i === 6 ? (b[i] & 0x0f) | 0x40 : i === 8 ? (b[i] & 0x3f) | 0x80 : b[i];
    out[o++] = HEX_CODES[2 * v];
    out[o++] = HEX_CODES[2 * v + 1];
  }
  return asciiDecoder.decode(out);
}
const uuidScratch = new Uint8Array(36);

/** hex(SHA-256(UTF-8(text))), through a reused buffer. */
export function hashText(text: string): string {
  const worst = text.length * 3;
  if (worst > scratch.length) scratch = new Uint8Array(Math.max(worst, scratch.length * 2));
  const { written } = encoder.encodeInto(text, scratch);
  return toHex(sha256(scratch.subarray(0, written)));
}

/**
 * The canonical form of a record (everything but its hash): the text
 * JSON.stringify makes of the field array, put together piece by piece, since
 * most pieces repeat from call to call (operation, caller, Region, key ARN)
 * and their JSON is cached: the run from operation to region, and the key
 * list, as the last one made (consecutive calls mostly share them). Numbers
 * and booleans print as JSON prints them; previousHash and eventId are
 * written as they are, since the log makes both itself (hex digits; a UUID).
 */
export function canonicalForm(f: Omit<RecordFields, "hash">): string {
  return (
    `[${LINE_FORMAT},${f.sequence},"${f.previousHash}",${f.time},${callerText(f.operation, f.principal, f.account, f.region)},` +
    `${JSON.stringify(f.request)},${JSON.stringify(f.response)},` +
    `${json(f.errorCode)},${JSON.stringify(f.errorMessage)},${keysText(f.keyArns)},${f.readOnly},${quote(f.requestId)},` +
    `"${f.eventId}",${json(f.sourceIp)},${json(f.userAgent)}]`
  );
}

let lastCaller: [string, string, string, string, string] = ["", "", "", "", ""];

/** `"operation","principal","account","region"` (the last one is kept). */
function callerText(operation: string, principal: string, account: string, region: string): string {
  const c = lastCaller;
  if (c[0] === operation && c[1] === principal && c[2] === account && c[3] === region) return c[4];
  const text = `${json(operation)},${json(principal)},${json(account)},${json(region)}`;
  lastCaller = [operation, principal, account, region, text];
  return text;
}

let lastKey = "";
let lastKeyText = "[]";

/** The key ARN list as JSON (the last one-key list is kept). */
function keysText(keyArns: readonly string[]): string {
  if (keyArns.length !== 1) return JSON.stringify(keyArns);
  if (keyArns[0] !== lastKey) {
    lastKeyText = `[${json(keyArns[0])}]`;
    lastKey = keyArns[0];
  }
  return lastKeyText;
}

/** Characters JSON.stringify escapes (control characters, quote, backslash, lone surrogates). */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** JSON.stringify of a string that is new each time (hashes, ids): most need no escaping. */
function quote(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

const jsonStrings = new Map<string, string>();

/** JSON.stringify of a short string or null, cached for strings that repeat. */
function json(value: string | null): string {
  if (value === null) return "null";
  let text = jsonStrings.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    if (jsonStrings.size >= 4096) jsonStrings.clear();
    jsonStrings.set(value, text);
  }
  return text;
}

/** The stored line of a record whose canonical form and hash are given. */
export function lineOf(canonical: string, hash: string): string {
  return `${canonical.slice(0, -1)},"${hash}"]`;
}

/** The hash a line carries (or, for a damaged line, the hash of its bytes). */
export function lineHash(line: string): string {
  const m = HASH_SUFFIX.exec(line);
  return m ? m[1] : hashText(line);
}

/** A line taken apart: its fields, or why it is not a record line. `hashOk` says whether its bytes match its hash. */
export type ParsedLine = { fields: RecordFields; hashOk: boolean } | { error: string };

export function parseLine(line: string, checkHash: boolean): ParsedLine {
  const suffix = HASH_SUFFIX.exec(line);
  if (suffix === null) return { error: "it does not end with a hash" };
  let a: unknown;
  try {
    a = JSON.parse(line);
  } catch {
    return { error: "it is not JSON" };
  }
  if (!Array.isArray(a) || a.length !== FIELD_COUNT || a[0] !== LINE_FORMAT) return { error: "it is not a record of this format" };
  const fields: RecordFields = {
    sequence: a[1],
    previousHash: a[2],
    time: a[3],
    operation: a[4],
    principal: a[5],
    account: a[6],
    region: a[7],
    request: a[8],
    response: a[9],
    errorCode: a[10],
    errorMessage: a[11],
    keyArns: a[12],
    readOnly: a[13],
    requestId: a[14],
    eventId: a[15],
    sourceIp: a[16],
    userAgent: a[17],
    hash: a[18],
  };
  if (!wellTyped(fields)) return { error: "a field has the wrong type" };
  const hashOk = !checkHash || hashText(`${line.slice(0, -HASH_SUFFIX_LENGTH)}]`) === suffix[1];
  return { fields, hashOk };
}

const isObjectOrNull = (v: unknown) => v === null || (typeof v === "object" && !Array.isArray(v));
const isStringOrNull = (v: unknown) => v === null || typeof v === "string";

function wellTyped(f: RecordFields): boolean {
  return (
    Number.isInteger(f.sequence) &&
    typeof f.previousHash === "string" &&
    typeof f.time === "number" &&
    typeof f.operation === "string" &&
    typeof f.principal === "string" &&
    typeof f.account === "string" &&
    typeof f.region === "string" &&
    isObjectOrNull(f.request) &&
    isObjectOrNull(f.response) &&
    isStringOrNull(f.errorCode) &&
    isStringOrNull(f.errorMessage) &&
    Array.isArray(f.keyArns) &&
    f.keyArns.every((arn) => typeof arn === "string") &&
    typeof f.readOnly === "boolean" &&
    typeof f.requestId === "string" &&
    typeof f.eventId === "string" &&
    isStringOrNull(f.sourceIp) &&
    isStringOrNull(f.userAgent)
  );
}
