/**
 * Where `wasmkms serve` gets its root key (the 32 bytes that wrap every key
 * in the store), in this order:
 *
 * 1. `WASMKMS_ROOT_KEY`: base64 of 32 bytes, e.g. from a secret manager;
 * 2. `--root-key-file FILE`: 32 raw bytes, or their base64 as text;
 * 3. otherwise `<data dir>/root.key`, created on first start (mode 0600) with a
 *    warning: beside the data it protects, it is fit for development only.
 *
 * Giving both 1 and 2 is refused rather than guessing which one was meant.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT_KEY_ENV = "WASMKMS_ROOT_KEY";
export const ROOT_KEY_FILE_NAME = "root.key";

export interface RootKeySource {
  key: Uint8Array;
  /** Where it came from, for the startup message. */
  origin: string;
  /** Warnings to print (a key created or kept beside the data, loose file permissions). */
  warnings: string[];
}

/** 32 bytes from base64 text (surrounding whitespace allowed); throws naming `what`. */
export function decodeRootKey(text: string, what: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (bytes.length !== 32) throw new Error(`${what} must be 32 bytes in base64 (44 characters; e.g. \`openssl rand -base64 32\`)`);
  return new Uint8Array(bytes);
}

function readKeyFile(path: string): Uint8Array {
  const raw = readFileSync(path);
  if (raw.length === 32) return new Uint8Array(raw);
  return decodeRootKey(raw.toString("latin1"), `the root key file ${path}`);
}

function permissionWarning(path: string): string[] {
  const mode = statSync(path).mode & 0o777;
  return mode & 0o077 ? [`${path} is readable by others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 it`] : [];
}

export function resolveRootKey(options: { env: Record<string, string | undefined>; rootKeyFile?: string; dataDir: string }): RootKeySource {
  const fromEnv = options.env[ROOT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== "" && options.rootKeyFile !== undefined) {
    throw new Error(`both ${ROOT_KEY_ENV} and --root-key-file are set: give one`);
  }
  if (fromEnv !== undefined && fromEnv !== "") {
    return { key: decodeRootKey(fromEnv, ROOT_KEY_ENV), origin: `$${ROOT_KEY_ENV}`, warnings: [] };
  }
  if (options.rootKeyFile !== undefined) {
    return { key: readKeyFile(options.rootKeyFile), origin: options.rootKeyFile, warnings: permissionWarning(options.rootKeyFile) };
  }
  const path = join(options.dataDir, ROOT_KEY_FILE_NAME);
  const besideTheData =
    `the root key is stored beside the keys it protects, which is for development only: ` +
    `in production give it with ${ROOT_KEY_ENV} or --root-key-file from somewhere else`;
  if (existsSync(path)) {
    return { key: readKeyFile(path), origin: path, warnings: [...permissionWarning(path), besideTheData] };
  }
  const key = new Uint8Array(randomBytes(32));
  // "wx": never overwrite a key that appeared meanwhile (it would orphan every wrapped key).
  writeFileSync(path, `${Buffer.from(key).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return { key, origin: path, warnings: [`created a new root key in ${path} (mode 0600); ${besideTheData}`] };
}
