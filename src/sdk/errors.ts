/**
 * Errors of the envelope SDK. Every failure the SDK raises on purpose is an
 * `SdkError`; `err.name` says which kind (set explicitly, not taken from the
 * constructor, which bundlers may rename).
 *
 * Decryption failures never come with plaintext: one-shot `decrypt` returns
 * nothing, and `decryptStream` errors the stream instead of releasing a frame
 * whose tag did not verify.
 */
export class SdkError extends Error {
  override readonly name: string = "SdkError";
}

/** The bytes are not a well-formed message: bad field, wrong length, truncated, trailing data. */
export class MalformedMessageError extends SdkError {
  override readonly name: string = "MalformedMessageError";
}

/** The algorithm suite is unknown, or known but not supported for this operation. */
export class UnsupportedAlgorithmSuiteError extends SdkError {
  override readonly name: string = "UnsupportedAlgorithmSuiteError";
}

/** The commitment policy forbids the algorithm suite (e.g. a non-committing v1 message under REQUIRE_ENCRYPT_REQUIRE_DECRYPT). */
export class CommitmentPolicyError extends SdkError {
  override readonly name: string = "CommitmentPolicyError";
}

/** More encrypted data keys than `maxEncryptedDataKeys` allows. */
export class TooManyEncryptedDataKeysError extends SdkError {
  override readonly name: string = "TooManyEncryptedDataKeysError";
}

/** The commitment key derived from the data key differs from the one in the header. */
export class KeyCommitmentError extends SdkError {
  override readonly name: string = "KeyCommitmentError";
}

/** The header authentication tag does not verify. */
export class HeaderAuthenticationError extends SdkError {
  override readonly name: string = "HeaderAuthenticationError";
}

/** A frame's (or a non-framed body's) authentication tag does not verify. */
export class FrameAuthenticationError extends SdkError {
  override readonly name: string = "FrameAuthenticationError";
}

/** The message signature (footer) does not verify, or the verification key is unusable. */
export class SignatureVerificationError extends SdkError {
  override readonly name: string = "SignatureVerificationError";
}

/** The encryption context is invalid, too large, or uses a reserved key. */
export class EncryptionContextError extends SdkError {
  override readonly name: string = "EncryptionContextError";
}

/** No keyring could decrypt any of the message's encrypted data keys. `errors` holds what keyrings threw on the way. */
export class NoDecryptableDataKeyError extends SdkError {
  override readonly name: string = "NoDecryptableDataKeyError";
  readonly errors: readonly unknown[];
  constructor(message: string, errors: readonly unknown[] = []) {
    super(errors.length ? `${message} (${errors.map(describe).join("; ")})` : message);
    this.errors = errors;
  }
}

/** A keyring or materials manager was misconfigured or broke its contract (e.g. wrong data key length). */
export class KeyringError extends SdkError {
  override readonly name: string = "KeyringError";
}

/** An option passed to the SDK is invalid (frame length, suite id, policy name, …). */
export class InvalidParameterError extends SdkError {
  override readonly name: string = "InvalidParameterError";
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
