/**
 * AWS KMS keyring over an `@aws-sdk/client-kms` client: real AWS KMS, or the
 * wasmkms endpoint (`new KMSClient({ endpoint: "http://127.0.0.1:4599", … })`).
 * Same behaviour and wire format as `KmsKeyring` (kms-keyring.ts), whose logic
 * it reuses; only the transport differs.
 *
 *   const keyring = new AwsKmsKeyring({ client: new KMSClient({ region }), keyIds: [keyArn] });
 *
 * The client may be a `KMSClient` (calls go through `client.send(new
 * GenerateDataKeyCommand(…))` and so on) or the aggregated `KMS` client (its
 * methods are called directly). The command classes are loaded on first use
 * with a dynamic import of `@aws-sdk/client-kms`, so this module can be
 * imported (and the rest of wasmkms/sdk used) without that package installed;
 * pass `commands` to supply them yourself (e.g. from the same copy of the
 * package your client comes from, if several are installed).
 *
 * Throttling: the AWS SDK client retries throttled calls itself (3 attempts
 * in its standard mode); this keyring's `withRetry` adds its own attempts on
 * top. Set `retry: { maxAttempts: 1 }` to leave retrying to the client.
 */
import { KeyringError } from "./errors.js";
import { type KmsDataKeyOperations, KmsKeyring, type KmsKeyringCommonOptions } from "./kms-keyring.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command takes its own input type
type CommandClass = new (input: any) => object;

/** The command classes of `@aws-sdk/client-kms` this keyring sends. */
export interface KmsCommands {
  GenerateDataKeyCommand: CommandClass;
  EncryptCommand: CommandClass;
  DecryptCommand: CommandClass;
}

/** What the keyring needs of a KMSClient (`send`) or of the aggregated KMS client (its methods). */
export type AwsKmsClient =
  | { send(command: object): Promise<unknown> }
  | {
      generateDataKey(input: object): Promise<unknown>;
      encrypt(input: object): Promise<unknown>;
      decrypt(input: object): Promise<unknown>;
    };

export interface AwsKmsKeyringOptions extends KmsKeyringCommonOptions {
  client: AwsKmsClient;
  /** The command classes to send through a KMSClient (default: imported from `@aws-sdk/client-kms` on first use). */
  commands?: KmsCommands;
}

// A variable, not a literal: bundlers and type checkers leave the optional package alone.
const CLIENT_KMS_PACKAGE: string = "@aws-sdk/client-kms";
let imported: Promise<KmsCommands> | undefined;

function importCommands(): Promise<KmsCommands> {
  imported ??= (import(CLIENT_KMS_PACKAGE) as Promise<KmsCommands>).catch((e) => {
    imported = undefined;
    throw new KeyringError(`AwsKmsKeyring: cannot load ${CLIENT_KMS_PACKAGE} (install it, or pass \`commands\`): ${e instanceof Error ? e.message : String(e)}`);
  });
  return imported;
}

/** KmsDataKeyOperations sent through an AWS SDK client. */
function clientOperations(client: AwsKmsClient, commands: KmsCommands | undefined): KmsDataKeyOperations {
  if (!client || typeof client !== "object") throw new KeyringError("AwsKmsKeyring needs a client (a KMSClient from @aws-sdk/client-kms)");
  if ("generateDataKey" in client && typeof client.generateDataKey === "function" && typeof client.encrypt === "function" && typeof client.decrypt === "function") {
    const c = client;
    // The SDK's input and output shapes are the KMS API's, as the in-process Kms's are.
    return {
      generateDataKey: (r) => c.generateDataKey(r) as never,
      encrypt: (r) => c.encrypt(r) as never,
      decrypt: (r) => c.decrypt(r) as never,
    };
  }
  if (!("send" in client) || typeof client.send !== "function") {
    throw new KeyringError("AwsKmsKeyring: the client has neither send() (KMSClient) nor generateDataKey/encrypt/decrypt (KMS)");
  }
  const c = client;
  const send = async <T>(name: keyof KmsCommands, input: object): Promise<T> => {
    const Command = (commands ?? (await importCommands()))[name];
    return (await c.send(new Command(input))) as T;
  };
  return {
    generateDataKey: (r) => send("GenerateDataKeyCommand", r),
    encrypt: (r) => send("EncryptCommand", r),
    decrypt: (r) => send("DecryptCommand", r),
  };
}

export class AwsKmsKeyring extends KmsKeyring {
  readonly client: AwsKmsClient;

  constructor(options: AwsKmsKeyringOptions) {
    const { client, commands, ...rest } = options ?? ({} as AwsKmsKeyringOptions);
    if (commands !== undefined && !(["GenerateDataKeyCommand", "EncryptCommand", "DecryptCommand"] as const).every((n) => typeof commands[n] === "function")) {
      throw new KeyringError("AwsKmsKeyring: commands must hold GenerateDataKeyCommand, EncryptCommand and DecryptCommand");
    }
    super({ ...rest, kms: clientOperations(client, commands) }, "AwsKmsKeyring");
    this.client = client;
  }
}
