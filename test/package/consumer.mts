// Type-checked by test/package.test.ts as an ESM consumer of the published
// package (resolved through package.json "exports", import conditions).
import { Aes256Gcm, AuthenticationError, hkdf, hmac, sha256, sha512 } from "wasmkms/engine";
import * as root from "wasmkms";

const gcm: Aes256Gcm = new root.Aes256Gcm(new Uint8Array(32));
const sealed: Uint8Array = gcm.seal(new Uint8Array(12), new Uint8Array(5), new Uint8Array(0), 16);
const opened: Uint8Array = gcm.open(new Uint8Array(12), sealed);
const tag: Uint8Array = gcm.encryptor(new Uint8Array(12)).final();
const digest: Uint8Array = sha512.create().update(opened).update(tag).digest();
const mac: Uint8Array = hmac("sha384", digest, sha256(digest));
const okm: Uint8Array = hkdf("sha256", mac, new Uint8Array(0), new Uint8Array(0), 32);
const isAuthFailure = (e: unknown): boolean => e instanceof AuthenticationError && e.name === "AuthenticationError";
export { okm, isAuthFailure };
