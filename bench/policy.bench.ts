/**
 * What policy evaluation costs per request (run: npx tsx bench/policy.bench.ts).
 * The budget (issue 5): matchPolicy on a typical 3-statement key policy about
 * 1 µs, authorizeKms a few µs, so GenerateDataKey with policies, quotas and
 * audit stays over 100,000 ops/s. Measured here, never asserted in tests.
 */
import { authorizeKms, matchPolicy, parsePolicy } from "../src/policy/index.js";
import { ACCOUNT, KEY, KEY_MANAGER, KEY_USER } from "../test/policy/helpers.js";

const keyPolicy = parsePolicy(
  {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "Allow access for Key Administrators",
        Effect: "Allow",
        Principal: { AWS: KEY_MANAGER },
        Action: ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
        Resource: "*",
      },
      { Sid: "Allow use of the key", Effect: "Allow", Principal: { AWS: KEY_USER }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*" },
    ],
  },
  { kind: "resource" },
);
const iam = parsePolicy({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` } });
const conditions = { "kms:EncryptionContext:tenant": "t1", "kms:EncryptionContextKeys": ["tenant"] };
const direct = { principal: KEY_USER, action: "kms:GenerateDataKey", resource: KEY, conditions };
const viaIam = { ...direct, principal: `arn:aws:sts::${ACCOUNT}:assumed-role/App/worker-1` };

/** Mean nanoseconds per call, best of 5 rounds. */
function cost(fn: () => unknown, calls = 50_000): number {
  for (let i = 0; i < calls; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / calls);
  }
  return best;
}

const measured = {
  "matchPolicy, 3-statement key policy": cost(() => matchPolicy(keyPolicy, "key policy", direct)),
  "authorizeKms, allowed by the key policy": cost(() => authorizeKms({ keyAccount: ACCOUNT, request: direct, keyPolicy, identityPolicies: [] })),
  "authorizeKms, allowed by delegation + IAM": cost(() =>
    authorizeKms({ keyAccount: ACCOUNT, request: viaIam, keyPolicy, identityPolicies: [{ name: "App", policy: iam }] }),
  ),
  "authorizeKms, denied": cost(() => authorizeKms({ keyAccount: ACCOUNT, request: { ...direct, principal: KEY_MANAGER }, keyPolicy, identityPolicies: [] })),
};
for (const [what, ns] of Object.entries(measured)) console.log(`${what}: ${ns.toFixed(0)} ns`);
