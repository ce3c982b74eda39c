// Every key-using operation against a key in every state, compared with AWS's
// "Key states of KMS keys" table written out by hand.
import { describe, expect, it } from "vitest";
import type { Kms } from "../../src/kms/index.js";
import { rejects, setup, utf8 } from "./helpers.js";

type State = "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport";
const STATES: State[] = ["Enabled", "Disabled", "PendingDeletion", "PendingImport"];

const OK = "ok";
const DIS = "DisabledException";
const INV = "KMSInvalidStateException";
const UNS = "UnsupportedOperationException";

/** Operation → expected outcome per state (Enabled, Disabled, PendingDeletion, PendingImport). PendingImport keys are EXTERNAL. */
const TABLE: [string, (kms: Kms, id: string) => Promise<unknown>, [string, string, string, string]][] = [
  ["Encrypt", (k, id) => k.encrypt({ KeyId: id, Plaintext: utf8("x") }), [OK, DIS, INV, INV]],
  ["GenerateDataKey", (k, id) => k.generateDataKey({ KeyId: id, KeySpec: "AES_256" }), [OK, DIS, INV, INV]],
  ["GenerateDataKeyWithoutPlaintext", (k, id) => k.generateDataKeyWithoutPlaintext({ KeyId: id, NumberOfBytes: 8 }), [OK, DIS, INV, INV]],
  ["GenerateDataKeyPair", (k, id) => k.generateDataKeyPair({ KeyId: id, KeyPairSpec: "ECC_NIST_P256" }), [OK, DIS, INV, INV]],
  ["ReEncrypt (destination)", async (k, id) => {
    const src = (await k.createKey()).KeyMetadata.KeyId;
    const { CiphertextBlob } = await k.encrypt({ KeyId: src, Plaintext: utf8("x") });
    return k.reEncrypt({ CiphertextBlob, DestinationKeyId: id });
  }, [OK, DIS, INV, INV]],
  ["GetPublicKey", (k, id) => k.getPublicKey({ KeyId: id }), [UNS, DIS, INV, INV]],
  ["DescribeKey", (k, id) => k.describeKey({ KeyId: id }), [OK, OK, OK, OK]],
  ["EnableKey", (k, id) => k.enableKey({ KeyId: id }), [OK, OK, INV, INV]],
  ["DisableKey", (k, id) => k.disableKey({ KeyId: id }), [OK, OK, INV, INV]],
  ["ScheduleKeyDeletion", (k, id) => k.scheduleKeyDeletion({ KeyId: id }), [OK, OK, INV, OK]],
  ["CancelKeyDeletion", (k, id) => k.cancelKeyDeletion({ KeyId: id }), [INV, INV, OK, INV]],
  ["UpdateKeyDescription", (k, id) => k.updateKeyDescription({ KeyId: id, Description: "d" }), [OK, OK, INV, OK]],
  ["TagResource", (k, id) => k.tagResource({ KeyId: id, Tags: [{ TagKey: "a", TagValue: "b" }] }), [OK, OK, INV, OK]],
  ["UntagResource", (k, id) => k.untagResource({ KeyId: id, TagKeys: ["a"] }), [OK, OK, INV, OK]],
  ["ListResourceTags", (k, id) => k.listResourceTags({ KeyId: id }), [OK, OK, OK, OK]],
  ["CreateAlias", (k, id) => k.createAlias({ AliasName: `alias/${id}`, TargetKeyId: id }), [OK, OK, INV, OK]],
  ["ListAliases", (k, id) => k.listAliases({ KeyId: id }), [OK, OK, OK, OK]],
  ["GetKeyPolicy", (k, id) => k.getKeyPolicy({ KeyId: id }), [OK, OK, OK, OK]],
  ["PutKeyPolicy", async (k, id) => k.putKeyPolicy({ KeyId: id, Policy: (await k.getKeyPolicy({ KeyId: id })).Policy }), [OK, OK, OK, OK]],
  ["ListKeyPolicies", (k, id) => k.listKeyPolicies({ KeyId: id }), [OK, OK, OK, OK]],
  ["EnableKeyRotation", (k, id) => k.enableKeyRotation({ KeyId: id }), [OK, DIS, INV, UNS]],
  ["DisableKeyRotation", (k, id) => k.disableKeyRotation({ KeyId: id }), [OK, DIS, INV, UNS]],
  ["GetKeyRotationStatus", (k, id) => k.getKeyRotationStatus({ KeyId: id }), [OK, OK, OK, UNS]],
  ["RotateKeyOnDemand", (k, id) => k.rotateKeyOnDemand({ KeyId: id }), [OK, DIS, INV, UNS]],
  ["ListKeyRotations", (k, id) => k.listKeyRotations({ KeyId: id }), [OK, OK, OK, UNS]],
  ["DeleteImportedKeyMaterial", (k, id) => k.deleteImportedKeyMaterial({ KeyId: id }), [UNS, UNS, UNS, OK]],
];

async function keyIn(kms: Kms, state: State): Promise<string> {
  if (state === "PendingImport") return (await kms.createKey({ Origin: "EXTERNAL" })).KeyMetadata.KeyId;
  const id = (await kms.createKey()).KeyMetadata.KeyId;
  if (state === "Disabled") await kms.disableKey({ KeyId: id });
  if (state === "PendingDeletion") await kms.scheduleKeyDeletion({ KeyId: id });
  return id;
}

describe("key state table", () => {
  const { kms } = setup();
  for (const [name, call, expected] of TABLE) {
    it(name, async () => {
      for (const [i, state] of STATES.entries()) {
        const id = await keyIn(kms, state);
        const outcome = await call(kms, id).then(
          () => OK,
          (e: Error) => e.name,
        );
        expect(`${state}: ${outcome}`).toBe(`${state}: ${expected[i]}`);
      }
    });
  }

  it("names the key and the state in the message", async () => {
    const id = await keyIn(kms, "PendingImport");
    const arn = (await kms.describeKey({ KeyId: id })).KeyMetadata.Arn;
    await rejects(kms.encrypt({ KeyId: id, Plaintext: utf8("x") }), INV, new RegExp(`^${arn} is pending import\\.$`));
  });
});
