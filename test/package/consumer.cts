// Type-checked by test/package.test.ts as a CommonJS consumer of the published
// package (resolved through package.json "exports", require conditions).
import engine = require("wasmkms/engine");
import root = require("wasmkms");

const gcm: engine.Aes256Gcm = new root.Aes256Gcm(engine.randomBytes(32));
const sealed: Uint8Array = gcm.seal(engine.randomBytes(12), new Uint8Array(5));
const digest: Uint8Array = engine.sha256(gcm.open(new Uint8Array(12), sealed));
const okm: Uint8Array = engine.hkdf.expand("sha512", digest, new Uint8Array(0), 64);
export = okm;
