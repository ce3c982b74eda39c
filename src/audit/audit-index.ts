/**
 * What an AuditLog keeps in memory about its records: per key ARN, its last
 * successful cryptographic use (for GetKeyLastUsage), and per key id the ARNs
 * seen with it. That is O(number of keys), whatever the number of records:
 * queries, usage and verification read the records back from the sink. It
 * covers every record the log made, those a sink has since dropped included.
 */

/** The operations GetKeyLastUsage counts (AWS KMS API Reference, KeyLastUsageData.Operation). */
export const CRYPTOGRAPHIC_OPERATIONS = new Set([
  "Decrypt",
  "DeriveSharedSecret",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateMac",
  "ReEncrypt",
  "Sign",
  "Verify",
  "VerifyMac",
]);

/** A key's last successful cryptographic use: the record's number and what GetKeyLastUsage reports of it. */
export interface LastUse {
  seq: number;
  time: number;
  operation: string;
  eventId: string;
  requestId: string;
}

export class KeyIndex {
  /** Key ARN → its last use (null: seen, never used). */
  readonly #keys = new Map<string, LastUse | null>();
  /** Key id (the part after "key/") → the ARNs seen with it. */
  readonly #arnsById = new Map<string, string[]>();

  /** Notes record `seq`: the keys it names, and their use if it was a successful cryptographic call. */
  note(seq: number, time: number, operation: string, errorCode: string | null, keyArns: readonly string[], eventId: string, requestId: string): void {
    const used = errorCode === null && CRYPTOGRAPHIC_OPERATIONS.has(operation);
    for (let i = 0; i < keyArns.length; i++) {
      const arn = keyArns[i];
      const last = this.#keys.get(arn);
      if (last === undefined) this.#seen(arn);
      if (!used) {
        if (last === undefined) this.#keys.set(arn, null);
      } else if (last === null || last === undefined) {
        this.#keys.set(arn, { seq, time, operation, eventId, requestId });
      } else {
        last.seq = seq;
        last.time = time;
        last.operation = operation;
        last.eventId = eventId;
        last.requestId = requestId;
      }
    }
  }

  /** ARNs for a key id or key ARN (a key id may have been seen in more than one Region or account). */
  arnsOf(keyIdOrArn: string): readonly string[] {
    return keyIdOrArn.startsWith("arn:") ? [keyIdOrArn] : (this.#arnsById.get(keyIdOrArn) ?? []);
  }

  lastUse(arn: string): LastUse | undefined {
    return this.#keys.get(arn) ?? undefined;
  }

  /**
   * Forgets uses at `count` and later (their records rolled back); returns
   * the ARNs whose last use must be looked for again among records before `count`.
   */
  forgetFrom(count: number): Set<string> {
    const lost = new Set<string>();
    for (const [arn, last] of this.#keys) {
      if (last !== null && last.seq >= count) {
        this.#keys.set(arn, null);
        lost.add(arn);
      }
    }
    return lost;
  }

  /** Sets a use found again after forgetFrom. */
  restore(arn: string, use: LastUse): void {
    this.#keys.set(arn, use);
  }

  #seen(arn: string): void {
    const id = arn.slice(arn.lastIndexOf("/") + 1);
    const arns = this.#arnsById.get(id);
    if (arns === undefined) this.#arnsById.set(id, [arn]);
    else arns.push(arn);
  }
}
