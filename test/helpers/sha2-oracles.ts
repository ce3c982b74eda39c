/**
 * The engine's SHA-2 algorithm names, for the tests parameterized over them,
 * and @noble/hashes' implementation of each: the independent oracle that the
 * hash, HMAC and HKDF tests check the engine against besides node:crypto.
 */
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";

export const ALGS = ["sha224", "sha256", "sha384", "sha512"] as const;
export const NOBLE = { sha224, sha256, sha384, sha512 };
