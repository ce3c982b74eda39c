/**
 * `wasmkms serve`: the KMS endpoint on a durable SQLite store.
 *
 *   wasmkms serve [--port 4599] [--host 127.0.0.1] [--data-dir ./.wasmkms]
 *                 [--region us-east-1] [--account 111122223333]
 *                 [--quotas aws-2020|aws-current|off] [--credentials FILE] [--root-key-file FILE]
 *
 * Prints the endpoint, the credential to use and one `aws kms` command that
 * works; SIGINT or SIGTERM drain the requests in flight and close the store
 * (a second signal exits at once).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Kms, type KmsOptions } from "../kms/index.js";
import {
  type CredentialMap,
  DEV_ACCESS_KEY_ID,
  DEV_SECRET_ACCESS_KEY,
  developmentCredentials,
  loadCredentialsFile,
} from "../server/credentials.js";
import { DEFAULT_HOST, DEFAULT_PORT, KmsServer, type ListeningAddress } from "../server/kms-server.js";
import { SqliteKeyStore } from "../store/sqlite-store.js";
import { resolveRootKey } from "./root-key.js";

export const DEFAULT_DATA_DIR = "./.wasmkms";
export const STORE_FILE_NAME = "keys.sqlite";
const QUOTA_PRESETS = ["aws-2020", "aws-current", "off"] as const;
export type QuotaChoice = (typeof QUOTA_PRESETS)[number];

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  region?: string;
  account?: string;
  quotas?: QuotaChoice;
  audit?: "on" | "off";
  credentialsFile?: string;
  rootKeyFile?: string;
}

/** Where the command writes: the endpoint's messages and its warnings/errors. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const SERVE_USAGE = `Usage: wasmkms serve [options]

Serves the AWS KMS API (JSON 1.1 + SigV4) over HTTP on a SQLite key store.

Options:
  --port N                 TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR              address to listen on (default ${DEFAULT_HOST})
  --data-dir DIR           where the key store lives (default ${DEFAULT_DATA_DIR})
  --region REGION          region in key ARNs and in the SigV4 scope (default us-east-1)
  --account ID             12-digit account id in ARNs (default 111122223333)
  --quotas PRESET          request quotas: aws-2020, aws-current or off (default off)
  --audit on|off           a CloudTrail-style record of every call, kept in the key store (default on;
                           each record is a durable write, so off is much faster under load)
  --credentials FILE       JSON: { "<access key id>": { "secretAccessKey": "...", "principal": "arn:aws:iam::..." } }
                           (default: the development credential test / test, acting as the account root)
  --root-key-file FILE     root key: 32 bytes, raw or base64 (or set WASMKMS_ROOT_KEY to the base64;
                           default: DIR/root.key, created on first start, for development only)
`;

/** Parses `serve`'s arguments; throws TypeError with a message for the user. */
export function parseServeArgs(args: string[]): ServeOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      region: { type: "string" },
      account: { type: "string" },
      quotas: { type: "string" },
      audit: { type: "string" },
      credentials: { type: "string" },
      "root-key-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be 0-65535, got ${values.port}`);
  if (values.quotas !== undefined && !(QUOTA_PRESETS as readonly string[]).includes(values.quotas)) {
    throw new TypeError(`--quotas must be one of ${QUOTA_PRESETS.join(", ")}, got ${values.quotas}`);
  }
  if (values.audit !== undefined && values.audit !== "on" && values.audit !== "off") {
    throw new TypeError(`--audit must be on or off, got ${values.audit}`);
  }
  return {
    port,
    host: values.host ?? DEFAULT_HOST,
    dataDir: values["data-dir"] ?? DEFAULT_DATA_DIR,
    region: values.region,
    account: values.account,
    quotas: values.quotas as QuotaChoice | undefined,
    audit: values.audit as "on" | "off" | undefined,
    credentialsFile: values.credentials,
    rootKeyFile: values["root-key-file"],
  };
}

/** Read-only calls' audit records per SQLite write, and the longest they wait. */
const AUDIT_BATCH = 512;
const AUDIT_FLUSH_MS = 200;

export interface RunningEndpoint {
  kms: Kms;
  server: KmsServer;
  address: ListeningAddress;
  /** Drains the server and closes the store. */
  stop(): Promise<void>;
}

/** Opens the store, starts the server and prints how to use it. */
export async function startServing(options: ServeOptions, env: Record<string, string | undefined>, output: Output): Promise<RunningEndpoint> {
  const credentials: CredentialMap | undefined = options.credentialsFile === undefined ? undefined : loadCredentialsFile(options.credentialsFile);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const rootKey = resolveRootKey({ env, rootKeyFile: options.rootKeyFile, dataDir: options.dataDir });
  const storePath = join(options.dataDir, STORE_FILE_NAME);
  let store: SqliteKeyStore | undefined;
  let kms: Kms;
  try {
    // Key changes commit (fsync) with their own audit records. Records of calls
    // that change nothing (Encrypt, Decrypt, …) are written in batches, at the
    // latest AUDIT_FLUSH_MS later: one fsync per call would cap the endpoint
    // near a thousand requests a second. A crash can lose that last batch of
    // read-only records; the hash chain stays whole.
    store = new SqliteKeyStore(storePath, { auditBatch: AUDIT_BATCH });
    const kmsOptions: KmsOptions = {
      store,
      rootKey: rootKey.key,
      account: options.account,
      region: options.region,
      quotas: options.quotas === undefined || options.quotas === "off" ? false : options.quotas,
      audit: options.audit !== "off",
    };
    kms = new Kms(kmsOptions);
  } catch (error) {
    store?.close();
    throw error;
  } finally {
    rootKey.key.fill(0);
  }
  const durableStore = store;
  const auditFlush = setInterval(() => durableStore.flushAudit(), AUDIT_FLUSH_MS);
  auditFlush.unref();
  const server = new KmsServer({ kms, credentials: credentials ?? developmentCredentials(kms.account) });
  let address: ListeningAddress;
  try {
    address = await server.listen(options.port, options.host);
  } catch (error) {
    clearInterval(auditFlush);
    kms.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new Error(`${options.host}:${options.port} is already in use: pick another --port`);
    throw error;
  }
  const warnings = [...rootKey.warnings];
  if (credentials === undefined && !isLoopback(address.host)) {
    warnings.push(`listening on ${address.host} with the public development credential test / test: anyone who can reach it can use every key (give --credentials)`);
  }
  for (const warning of warnings) output.err(`warning: ${warning}\n`);
  output.out(startupMessage(kms, address, { storePath, rootKeyOrigin: rootKey.origin, quotas: options.quotas ?? "off", audit: options.audit ?? "on" }, credentials));
  return {
    kms,
    server,
    address,
    async stop() {
      await server.close();
      clearInterval(auditFlush);
      kms.close();
    },
  };
}

const isLoopback = (host: string) => host === "::1" || host.startsWith("127.") || host === "localhost";

interface Settings {
  storePath: string;
  rootKeyOrigin: string;
  quotas: QuotaChoice;
  audit: "on" | "off";
}

function startupMessage(kms: Kms, address: ListeningAddress, settings: Settings, credentials?: CredentialMap): string {
  const lines = [
    `wasmkms: AWS KMS endpoint on ${address.url} (region ${kms.region}, account ${kms.account})`,
    `  key store: ${settings.storePath}`,
    `  root key:  ${settings.rootKeyOrigin}`,
    `  quotas:    ${settings.quotas}; audit log: ${settings.audit === "on" ? "on, in the key store" : "off"}`,
    "",
  ];
  if (credentials === undefined) {
    lines.push(
      `Development credential: access key id ${DEV_ACCESS_KEY_ID}, secret ${DEV_SECRET_ACCESS_KEY}, acting as ${kms.principal}:`,
      `  export AWS_ACCESS_KEY_ID=${DEV_ACCESS_KEY_ID}`,
      `  export AWS_SECRET_ACCESS_KEY=${DEV_SECRET_ACCESS_KEY}`,
    );
  } else {
    lines.push("Credentials (access key id → principal):");
    for (const [id, { principal }] of credentials) lines.push(`  ${id} → ${principal}`);
  }
  lines.push(
    `  export AWS_REGION=${kms.region} AWS_DEFAULT_REGION=${kms.region}`,
    `  export AWS_ENDPOINT_URL_KMS=${address.url}`,
    "",
    "With those exported, try:",
    `  aws kms create-key --description "my first key" --endpoint-url ${address.url}`,
    "",
    "Ctrl-C (SIGINT) or SIGTERM stops it after the requests in flight.",
    "",
  );
  return lines.join("\n");
}

/** `wasmkms serve …`: runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function serveCommand(args: string[], env: Record<string, string | undefined>, output: Output): Promise<number> {
  let options: ServeOptions | "help";
  try {
    options = parseServeArgs(args);
  } catch (error) {
    output.err(`wasmkms serve: ${(error as Error).message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (options === "help") {
    output.out(SERVE_USAGE);
    return 0;
  }
  let running: RunningEndpoint;
  try {
    running = await startServing(options, env, output);
  } catch (error) {
    output.err(`wasmkms serve: ${(error as Error).message}\n`);
    return 1;
  }
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        output.err(`wasmkms: ${signal} again, exiting without waiting\n`);
        process.exit(130);
      }
      stopping = true;
      output.out(`wasmkms: ${signal}: finishing ${running.server.inFlight} request(s) in flight, then closing the store\n`);
      running.stop().then(
        () => {
          process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
          output.out("wasmkms: stopped\n");
          resolve(0);
        },
        (error: Error) => {
          output.err(`wasmkms: error while stopping: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
}
