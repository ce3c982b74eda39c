/**
 * The key policy AWS KMS gives a key created without one: a single statement,
 * Sid "Enable IAM User Permissions", that allows the account (its root
 * principal) kms:* on the key. That delegates the key to the account's IAM
 * policies; it does not by itself let any user or role use the key.
 */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        {
          Sid: "Enable IAM User Permissions",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    },
    null,
    2,
  );
}
