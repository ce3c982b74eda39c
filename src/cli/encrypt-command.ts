/**
 * `wasmkms encrypt`: a file (or stdin) into an AWS Encryption SDK message
 * whose data key is generated and wrapped by KMS keys (AwsKmsKeyring over the
 * endpoint), readable by `wasmkms decrypt`, the ESDKs and the aws-encryption-cli.
 */
import { parseArgs } from "node:util";
import { AwsKmsKeyring } from "../sdk/aws-kms-keyring.js";
import { encryptFile } from "../sdk/file-encryption.node.js";
import type { AlgorithmSuiteId } from "../sdk/materials.js";
import { encryptStream } from "../sdk/streams.js";
import {
  COMMON_OPTIONS,
  COMMON_USAGE,
  type EnvelopeIo,
  inputSize,
  interruptible,
  kmsClient,
  parseContext,
  parseWorkers,
  pipeStreams,
  processIo,
  progressFor,
  reportFailure,
  requirePaths,
  UsageError,
} from "./envelope-io.js";
import type { Output } from "./serve.js";

export const ENCRYPT_USAGE = `Usage: wasmkms encrypt --key KEY [--key KEY]… [--context k=v]… -i IN -o OUT [options]

Encrypts IN into an AWS Encryption SDK message (format v2, key commitment) in OUT.

Options:
  -k, --key KEY            KMS key (key id, key ARN, alias/NAME or alias ARN); the first generates the data key,
                           each further one adds its own wrapped copy
  -c, --context k=v        encryption context pair, bound to the message (repeatable)
  --suite ID               0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature)
  --frame-length N         plaintext bytes per frame (default 4096)
${COMMON_USAGE}`;

const SUITES: Record<string, AlgorithmSuiteId> = { "0x0478": 0x0478, "0x0578": 0x0578, "1144": 0x0478, "1400": 0x0578 };

export async function encryptCommand(args: string[], env: Record<string, string | undefined>, output: Output, io: EnvelopeIo = processIo()): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { ...COMMON_OPTIONS, suite: { type: "string" }, "frame-length": { type: "string" } },
    });
    if (values.help) {
      output.out(ENCRYPT_USAGE);
      return 0;
    }
    const { input, output: out } = requirePaths(values);
    if (out === "-" && (io.stdout as { isTTY?: boolean }).isTTY) throw new UsageError("refusing to write a binary message to a terminal: give -o FILE, or pipe the output");
    const keyIds = values.key ?? [];
    if (!keyIds.length) throw new UsageError("give the KMS key to encrypt under: --key <key id | key ARN | alias/NAME>");
    const suite = values.suite === undefined ? 0x0478 : SUITES[values.suite.toLowerCase()];
    if (suite === undefined) throw new UsageError(`--suite must be 0x0478 or 0x0578, got ${values.suite}`);
    const frameLength = values["frame-length"] === undefined ? undefined : Number(values["frame-length"]);
    const encryptionContext = parseContext(values.context);
    const workers = parseWorkers(values.workers);
    const size = await inputSize(input);
    const { client } = await kmsClient(values, env);
    try {
      const keyring = new AwsKmsKeyring({ client, keyIds });
      const options = { encryptionContext, suite, ...(frameLength === undefined ? {} : { frameLength }) };
      const bar = progressFor(io, size, "encrypt", values["no-progress"]);
      try {
        await interruptible(async (signal) => {
          if (input !== "-" && out !== "-" && size !== undefined) {
            await encryptFile(input, out, { ...options, keyring, workers, signal, onProgress: (done) => bar?.update(done) });
          } else {
            let done = 0;
            const stream = encryptStream(keyring, { ...options, ...(size === undefined ? {} : { plaintextLength: size }) });
            await pipeStreams(input, out, io, stream, (n) => bar?.update((done += n)), false, signal);
          }
        });
      } finally {
        bar?.finish();
      }
    } finally {
      client.destroy();
    }
    return 0;
  } catch (error) {
    return reportFailure("encrypt", error, output);
  }
}
