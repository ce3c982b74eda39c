/**
 * What `wasmkms encrypt` and `wasmkms decrypt` share: the options for reaching
 * KMS (an @aws-sdk/client-kms client for --endpoint), the encryption context
 * pairs, and moving the bytes: file to file through encryptFile/decryptFile
 * (frames spread over worker threads, output renamed into place only on
 * success), anything involving stdin/stdout ("-") through the SDK's streams.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { writeAtomically } from "../sdk/atomic-output.node.js";
import { nodeReadableToWeb, nodeWritableToWeb } from "../sdk/node-streams.node.js";
import { DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY } from "../server/credentials.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "../server/kms-server.js";
import { ProgressBar } from "./progress-bar.js";
import type { Output } from "./serve.js";

export const DEFAULT_ENDPOINT = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
/** Inputs at least this large get a progress bar (on a terminal). */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;

/** The parseArgs options both commands take. */
export const COMMON_OPTIONS = {
  input: { type: "string", short: "i" },
  output: { type: "string", short: "o" },
  key: { type: "string", short: "k", multiple: true },
  context: { type: "string", short: "c", multiple: true },
  endpoint: { type: "string" },
  region: { type: "string" },
  workers: { type: "string" },
  "no-progress": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const COMMON_USAGE = `  -i, --input PATH         the input file, or - for stdin
  -o, --output PATH        the output file (created only on success), or - for stdout
  --endpoint URL           the KMS endpoint (default $AWS_ENDPOINT_URL_KMS, $AWS_ENDPOINT_URL or ${DEFAULT_ENDPOINT});
                           "aws" for AWS KMS itself with the AWS SDK's usual credentials
  --region REGION          (default $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)
  --workers N              worker threads for file to file (default: one per CPU; 0: none)
  --no-progress            no progress bar (one is drawn on a terminal for inputs over 4 MiB)
Credentials: $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY (/ $AWS_SESSION_TOKEN), else ${DEV_ACCESS_KEY_ID} / ${DEV_SECRET_ACCESS_KEY}
for a local endpoint.
`;

/** Where the commands read and write bytes, and draw progress (stderr). */
export interface EnvelopeIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export const processIo = (): EnvelopeIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** An error for the user (printed as one line, exit code 2 when it is about usage). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The user stopped the command (SIGINT/SIGTERM): exit code 130. */
export class InterruptedError extends Error {
  override readonly name = "Interrupted";
}

/**
 * Runs `fn` with a signal that SIGINT or SIGTERM aborts, so the command stops
 * between batches and removes its temporary output; a second signal exits at once.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new InterruptedError(`stopped by ${signal}`));
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  }
}

/** `k=v` pairs → an object; throws UsageError for a pair without "=" or a repeated key. */
export function parseContext(pairs: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--context takes key=value, got ${JSON.stringify(pair)}`);
    const k = pair.slice(0, eq);
    if (Object.hasOwn(context, k)) throw new UsageError(`--context: the key ${JSON.stringify(k)} is given twice`);
    context[k] = pair.slice(eq + 1);
  }
  return context;
}

export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--workers must be an integer from 0 to 64, got ${value}`);
  return n;
}

export function requirePaths(values: { input?: string; output?: string }): { input: string; output: string } {
  if (!values.input || !values.output) throw new UsageError("give the input (-i PATH or -) and the output (-o PATH or -)");
  return { input: values.input, output: values.output };
}

// A variable, not a literal: the bundler leaves the optional package to the runtime.
const CLIENT_KMS_PACKAGE: string = "@aws-sdk/client-kms";

export interface KmsClientHandle {
  // The client's type is @aws-sdk/client-kms's; kept loose so the CLI builds without it.
  client: { send(command: object): Promise<unknown>; destroy(): void };
  /** The package's exports (command classes). */
  sdk: Record<string, new (input: object) => object>;
}

/** A KMSClient for --endpoint/--region and the environment's credentials. */
export async function kmsClient(values: { endpoint?: string; region?: string }, env: Record<string, string | undefined>): Promise<KmsClientHandle> {
  // The AWS SDK warns on every start that its 2027 releases need Node 22: not this command's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let sdk: KmsClientHandle["sdk"];
  try {
    sdk = (await import(CLIENT_KMS_PACKAGE)) as KmsClientHandle["sdk"];
  } catch {
    throw new Error(`this command needs the package ${CLIENT_KMS_PACKAGE}: npm install ${CLIENT_KMS_PACKAGE}`);
  }
  const endpoint = values.endpoint ?? (env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || DEFAULT_ENDPOINT);
  const region = values.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1");
  const config: Record<string, unknown> = { region };
  if (endpoint !== "aws") {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`--endpoint must be a URL or "aws", got ${JSON.stringify(endpoint)}`);
    }
    config.endpoint = endpoint;
    config.credentials = env.AWS_ACCESS_KEY_ID
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "", ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
      : { accessKeyId: DEV_ACCESS_KEY_ID, secretAccessKey: DEV_SECRET_ACCESS_KEY };
  }
  const KMSClient = sdk.KMSClient as unknown as new (config: object) => KmsClientHandle["client"];
  return { client: new KMSClient(config), sdk };
}

/** The size of a regular input file (undefined for stdin or anything unsized). */
export async function inputSize(input: string): Promise<number | undefined> {
  if (input === "-") return undefined;
  const s = await stat(input);
  return s.isFile() ? s.size : undefined;
}

/** A progress bar on stderr when it is a terminal, the input is big enough and the user did not refuse one. */
export function progressFor(io: EnvelopeIo, size: number | undefined, label: string, disabled: boolean | undefined): ProgressBar | undefined {
  if (disabled || !io.stderr.isTTY || size === undefined || size < PROGRESS_MIN_BYTES) return undefined;
  return new ProgressBar(io.stderr, size, label);
}

/**
 * The stream path: `input` ("-" or a path) through `transform` into `output`
 * ("-", or a path written atomically). `onInput` counts the input bytes.
 */
export async function pipeStreams(
  input: string,
  output: string,
  io: EnvelopeIo,
  transform: TransformStream<Uint8Array, Uint8Array>,
  onInput: (n: number) => void,
  privateOutput: boolean,
  signal: AbortSignal,
): Promise<void> {
  const source = nodeReadableToWeb(input === "-" ? io.stdin : createReadStream(input, { highWaterMark: 1 << 20 }), (c) => onInput(c.length));
  const piped = source.pipeThrough(transform);
  if (output === "-") {
    await piped.pipeTo(nodeWritableToWeb(io.stdout, { end: false }), { signal });
    return;
  }
  await writeAtomically(output, { privateMode: privateOutput }, (file) => piped.pipeTo(file.writable(), { signal }));
}

/** Prints `error` as one line and returns the exit code (2 for usage errors, parseArgs' included; 130 when interrupted; else 1). */
export function reportFailure(command: string, error: unknown, output: Output): number {
  const e = error as { name?: string; message?: string; code?: unknown };
  const usage = error instanceof UsageError || (error instanceof TypeError && String(e.code).startsWith("ERR_PARSE_ARGS"));
  const text = usage ? `${e.message} (wasmkms ${command} --help)` : error instanceof Error ? `${e.name}: ${e.message}` : String(error);
  output.err(`wasmkms ${command}: ${text.replace(/\s*\n\s*/g, " ")}\n`);
  return usage ? 2 : error instanceof InterruptedError ? 130 : 1;
}
