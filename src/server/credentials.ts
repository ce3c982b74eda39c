/**
 * Who may call the endpoint: access key ids, their secret keys, and the
 * principal each one acts as. A credentials file is JSON mapping access key
 * ids to `{ "secretAccessKey": "...", "principal": "arn:aws:iam::…" }`:
 *
 *   {
 *     "AKIAKEYUSER": { "secretAccessKey": "…", "principal": "arn:aws:iam::111122223333:user/KeyUser" },
 *     "AKIAKEYMANAGER": { "secretAccessKey": "…", "principal": "arn:aws:iam::111122223333:user/KeyManager" }
 *   }
 *
 * Without one, a single development credential is active: `test` / `test`,
 * acting as the account root.
 */
import { readFileSync } from "node:fs";

export interface Credential {
  secretAccessKey: string;
  /** ARN of the IAM or STS principal whose permissions apply. */
  principal: string;
}

/** Access key id → credential. */
export type CredentialMap = ReadonlyMap<string, Credential>;

export const DEV_ACCESS_KEY_ID = "test";
export const DEV_SECRET_ACCESS_KEY = "test";

/** The development credential: test / test → the account's root. */
export function developmentCredentials(account: string): CredentialMap {
  return new Map([[DEV_ACCESS_KEY_ID, { secretAccessKey: DEV_SECRET_ACCESS_KEY, principal: `arn:aws:iam::${account}:root` }]]);
}

const ACCESS_KEY_ID = /^[\w+=,.@-]{1,128}$/;
const PRINCIPAL = /^arn:aws:(iam|sts)::\d{12}:.+$/;

/** Checks a parsed credentials document; throws TypeError naming the first problem. */
export function parseCredentials(document: unknown, source = "credentials"): CredentialMap {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new TypeError(`${source}: expected a JSON object mapping access key ids to { secretAccessKey, principal }`);
  }
  const credentials = new Map<string, Credential>();
  for (const [accessKeyId, entry] of Object.entries(document)) {
    const where = `${source}: ${JSON.stringify(accessKeyId)}`;
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw new TypeError(`${where}: an access key id is 1-128 letters, digits and +=,.@_-`);
    if (typeof entry !== "object" || entry === null) throw new TypeError(`${where}: expected { secretAccessKey, principal }`);
    const { secretAccessKey, principal } = entry as Record<string, unknown>;
    if (typeof secretAccessKey !== "string" || secretAccessKey.length === 0) throw new TypeError(`${where}: secretAccessKey must be a non-empty string`);
    if (typeof principal !== "string" || !PRINCIPAL.test(principal)) {
      throw new TypeError(`${where}: principal must be an IAM or STS ARN (arn:aws:iam::<account>:user/<name>, …:role/<name>, …:root)`);
    }
    credentials.set(accessKeyId, { secretAccessKey, principal });
  }
  if (credentials.size === 0) throw new TypeError(`${source}: no credentials`);
  return credentials;
}

/** Reads and checks a credentials file. */
export function loadCredentialsFile(path: string): CredentialMap {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new TypeError(`${path}: ${(err as Error).message}`);
  }
  return parseCredentials(document, path);
}
