// Smoke check of the BUILT package (dist/) under one JavaScript runtime.
// Run by test/runtimes.test.ts under Node, Deno and Bun:
//
//   <runtime> test/runtimes/check.mjs esm-path      import dist/esm/engine.js by file path
//   <runtime> test/runtimes/check.mjs esm-package   import "wasmkms/engine" (package self-reference)
//   <runtime> test/runtimes/check.mjs cjs-package   require("wasmkms/engine") (the CommonJS build)
//
// Prints "OK <runtime> <mode>" and exits 0 when every check passes; throws otherwise.
// Uses only web-standard APIs plus node:module / node:process, which all three runtimes provide.
import { createRequire } from "node:module";
import process from "node:process";

const mode = process.argv[2] ?? "esm-path";
const engine = await load(mode);
const { Aes256Gcm, AuthenticationError, sha256, hkdf, randomBytes } = engine;

async function load(how) {
  if (how === "esm-path") return import(new URL("../../dist/esm/engine.js", import.meta.url).href);
  if (how === "esm-package") return import("wasmkms/engine");
  if (how === "cjs-package") return createRequire(import.meta.url)("wasmkms/engine");
  throw new Error(`unknown mode ${how}`);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

// NIST CAVP gcmEncryptExtIV256.rsp, [Keylen = 256] [IVlen = 96] [PTlen = 408] [AADlen = 160]
// [Taglen = 128] Count = 0 — odd plaintext and AAD lengths exercise the partial-block paths.
const gcmVector = {
  key: "24501ad384e473963d476edcfe08205237acfd49b5b8f33857f8114e863fec7f",
  iv: "9ff18563b978ec281b3f2794",
  pt: "27f348f9cdc0c5bd5e66b1ccb63ad920ff2219d14e8d631b3872265cf117ee86757accb158bd9abb3868fdc0d0b074b5f01b2c",
  aad: "adb5ec720ccf9898500028bf34afccbcaca126ef",
  ct: "eb7cb754c824e8d96f7c6d9b76c7d26fb874ffbf1d65c6f64a698d839b0b06145dae82057ad55994cf59ad7f67c0fa5e85fab8",
  tag: "bc95c532fecc594c36d1550286a7a3f0",
};

function checkGcmVector() {
  const v = gcmVector;
  const gcm = new Aes256Gcm(fromHex(v.key));
  const sealed = gcm.seal(fromHex(v.iv), fromHex(v.pt), fromHex(v.aad));
  expectEqual(hex(sealed), v.ct + v.tag, "GCM vector seal");
  expectEqual(hex(gcm.open(fromHex(v.iv), sealed, fromHex(v.aad))), v.pt, "GCM vector open");
  sealed[0] ^= 1;
  let error;
  try {
    gcm.open(fromHex(v.iv), sealed, fromHex(v.aad));
  } catch (e) {
    error = e;
  }
  if (!(error instanceof AuthenticationError) || error.name !== "AuthenticationError") {
    throw new Error(`GCM tampered open: expected AuthenticationError, got ${error}`);
  }
  gcm.destroy();
}

function checkSha256() {
  // FIPS 180-4 example: SHA-256("abc").
  const digest = sha256(new TextEncoder().encode("abc"));
  expectEqual(hex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256(abc)");
}

function checkHkdf() {
  // RFC 5869 appendix A.1 (HKDF-SHA256, basic case).
  const okm = hkdf(
    "sha256",
    fromHex("0b".repeat(22)),
    fromHex("000102030405060708090a0b0c"),
    fromHex("f0f1f2f3f4f5f6f7f8f9"),
    42,
  );
  expectEqual(
    hex(okm),
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    "HKDF-SHA256 RFC 5869 A.1",
  );
}

/** 1 MiB of random data: one-shot and streamed seal agree with this runtime's WebCrypto, and open round-trips. */
async function checkRoundTrip() {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const aad = randomBytes(13);
  const data = randomBytes(1 << 20);
  const gcm = new Aes256Gcm(key);
  const sealed = gcm.seal(iv, data, aad);
  expectEqual(sealed.length, data.length + 16, "1 MiB sealed length");

  const webKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const reference = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, webKey, data));
  expectEqual(hex(sealed), hex(reference), "1 MiB seal vs WebCrypto");

  const enc = gcm.encryptor(iv, aad);
  const streamed = new Uint8Array(sealed.length);
  let at = 0;
  for (const size of [1, 15, 16, 17, 4096, 65535, 65536, 300_000]) {
    streamed.set(enc.update(data.subarray(at, at + size)), at);
    at += size;
  }
  streamed.set(enc.update(data.subarray(at)), at);
  streamed.set(enc.final(), data.length);
  expectEqual(hex(streamed), hex(sealed), "1 MiB streamed seal vs one-shot");

  const opened = gcm.open(iv, sealed, aad);
  expectEqual(hex(opened), hex(data), "1 MiB open");
  gcm.destroy();
}

checkGcmVector();
checkSha256();
checkHkdf();
await checkRoundTrip();
console.log(`OK ${runtimeName()} ${mode}`);

function runtimeName() {
  if (typeof globalThis.Deno !== "undefined") return `deno ${globalThis.Deno.version.deno}`;
  if (typeof globalThis.Bun !== "undefined") return `bun ${globalThis.Bun.version}`;
  return `node ${process.versions.node}`;
}
