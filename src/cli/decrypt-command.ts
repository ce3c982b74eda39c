/**
 * `wasmkms decrypt`: an AWS Encryption SDK message (from `wasmkms encrypt`,
 * an ESDK or the aws-encryption-cli) back into its plaintext, with the data
 * key decrypted by KMS (AwsKmsKeyring over the endpoint).
 *
 * With --key the message must have a data key wrapped by one of those keys
 * (aliases are resolved to key ARNs first, with DescribeKey); without, any
 * AWS KMS wrapped data key is tried (discovery). With --context every given
 * pair must be in the message's encryption context: checked before any data
 * key is decrypted.
 */
import { parseArgs } from "node:util";
import { AwsKmsKeyring } from "../sdk/aws-kms-keyring.js";
import { EncryptionContextError } from "../sdk/errors.js";
import { decryptFile } from "../sdk/file-encryption.node.js";
import type { CommitmentPolicy, DecryptionMaterialsRequest, MaterialsManager } from "../sdk/materials.js";
import { materialsManagerOf } from "../sdk/options.js";
import { decryptStream } from "../sdk/streams.js";
import {
  COMMON_OPTIONS,
  COMMON_USAGE,
  type EnvelopeIo,
  inputSize,
  interruptible,
  type KmsClientHandle,
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

export const DECRYPT_USAGE = `Usage: wasmkms decrypt [--key KEY]… [--context k=v]… -i IN -o OUT [options]

Decrypts the AWS Encryption SDK message in IN into OUT.

Options:
  -k, --key KEY            accept only data keys wrapped by this KMS key (id, ARN, alias/NAME; repeatable);
                           without --key, any AWS KMS key the credentials may use
  -c, --context k=v        require this pair in the message's encryption context (repeatable)
  --allow-v1               also read messages without key commitment (from ESDK 1.x: REQUIRE_ENCRYPT_ALLOW_DECRYPT)
${COMMON_USAGE}`;

/** A materials manager that refuses messages lacking any of `required`'s pairs, before asking for their data key. */
function requiringContext(inner: MaterialsManager, required: Record<string, string>): MaterialsManager {
  const pairs = Object.entries(required);
  if (!pairs.length) return inner;
  return {
    getEncryptionMaterials: (request) => inner.getEncryptionMaterials(request),
    async decryptMaterials(request: DecryptionMaterialsRequest) {
      for (const [k, v] of pairs) {
        if (!Object.hasOwn(request.encryptionContext, k) || request.encryptionContext[k] !== v) {
          throw new EncryptionContextError(`the message's encryption context does not have ${k}=${v}`);
        }
      }
      return inner.decryptMaterials(request);
    },
  };
}

/** Key ARNs for the --key values (DescribeKey resolves ids and aliases). */
async function keyArns({ client, sdk }: KmsClientHandle, keys: readonly string[]): Promise<string[]> {
  return Promise.all(
    keys.map(async (KeyId) => {
      if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(KeyId)) return KeyId;
      const r = (await client.send(new sdk.DescribeKeyCommand({ KeyId }))) as { KeyMetadata?: { Arn?: string } };
      if (!r.KeyMetadata?.Arn) throw new Error(`DescribeKey returned no ARN for ${KeyId}`);
      return r.KeyMetadata.Arn;
    }),
  );
}

export async function decryptCommand(args: string[], env: Record<string, string | undefined>, output: Output, io: EnvelopeIo = processIo()): Promise<number> {
  try {
    const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { ...COMMON_OPTIONS, "allow-v1": { type: "boolean" } } });
    if (values.help) {
      output.out(DECRYPT_USAGE);
      return 0;
    }
    const { input, output: out } = requirePaths(values);
    const required = parseContext(values.context);
    const workers = parseWorkers(values.workers);
    const commitmentPolicy: CommitmentPolicy = values["allow-v1"] ? "REQUIRE_ENCRYPT_ALLOW_DECRYPT" : "REQUIRE_ENCRYPT_REQUIRE_DECRYPT";
    if (values.key?.some((k) => k.trim() === "")) throw new UsageError("--key needs a key id, key ARN or alias");
    const size = await inputSize(input);
    const handle = await kmsClient(values, env);
    try {
      const arns = values.key?.length ? await keyArns(handle, values.key) : [];
      const keyring = new AwsKmsKeyring({ client: handle.client, ...(arns.length ? { keyIds: arns } : { discovery: true }) });
      const cmm = requiringContext(materialsManagerOf(keyring), required);
      const bar = progressFor(io, size, "decrypt", values["no-progress"]);
      try {
        await interruptible(async (signal) => {
          if (input !== "-" && out !== "-" && size !== undefined) {
            await decryptFile(input, out, { keyring: cmm, commitmentPolicy, workers, signal, onProgress: (done) => bar?.update(done) });
          } else {
            let done = 0;
            await pipeStreams(input, out, io, decryptStream(cmm, { commitmentPolicy }), (n) => bar?.update((done += n)), true, signal);
          }
        });
      } finally {
        bar?.finish();
      }
    } finally {
      handle.client.destroy();
    }
    return 0;
  } catch (error) {
    return reportFailure("decrypt", error, output);
  }
}
