/**
 * The one error the policy layer throws: a document that is not a valid
 * policy. `reason` is a short sentence naming the place and the fault
 * ("Statement 2: unknown condition operator StringEqualz"); statements are
 * counted from 1 in reasons, as a person reading the document counts them.
 */
export class MalformedPolicyError extends Error {
  override readonly name = "MalformedPolicyError";
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** Throws a MalformedPolicyError with `reason`. */
export function malformed(reason: string): never {
  throw new MalformedPolicyError(reason);
}
