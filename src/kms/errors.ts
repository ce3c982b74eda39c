/**
 * The errors AWS KMS returns, as typed classes. `err.name` is the AWS error
 * name (what the SDKs expose as the exception name and the JSON protocol sends
 * as `__type`), `err.httpStatus` the status AWS uses, and `err.fault` whether
 * AWS counts it as the client's or the server's fault.
 */
export abstract class KmsError extends Error {
  /** HTTP status AWS uses for this error (400 for every client error KMS returns). */
  readonly httpStatus: number = 400;
  readonly fault: "client" | "server" = "client";
}

// Each class sets `name` explicitly (not from the constructor's name, which
// bundlers may rename).
export class NotFoundException extends KmsError {
  override readonly name = "NotFoundException";
}
export class DisabledException extends KmsError {
  override readonly name = "DisabledException";
}
export class KMSInvalidStateException extends KmsError {
  override readonly name = "KMSInvalidStateException";
}
export class InvalidKeyUsageException extends KmsError {
  override readonly name = "InvalidKeyUsageException";
}
export class IncorrectKeyException extends KmsError {
  override readonly name = "IncorrectKeyException";
}
export class InvalidCiphertextException extends KmsError {
  override readonly name = "InvalidCiphertextException";
}
export class ValidationException extends KmsError {
  override readonly name = "ValidationException";
}
export class AlreadyExistsException extends KmsError {
  override readonly name = "AlreadyExistsException";
}
export class InvalidAliasNameException extends KmsError {
  override readonly name = "InvalidAliasNameException";
}
export class InvalidArnException extends KmsError {
  override readonly name = "InvalidArnException";
}
export class UnsupportedOperationException extends KmsError {
  override readonly name = "UnsupportedOperationException";
}
export class KMSInvalidSignatureException extends KmsError {
  override readonly name = "KMSInvalidSignatureException";
}
export class KMSInvalidMacException extends KmsError {
  override readonly name = "KMSInvalidMacException";
}
export class MalformedPolicyDocumentException extends KmsError {
  override readonly name = "MalformedPolicyDocumentException";
}
export class InvalidImportTokenException extends KmsError {
  override readonly name = "InvalidImportTokenException";
}
export class IncorrectKeyMaterialException extends KmsError {
  override readonly name = "IncorrectKeyMaterialException";
}
export class ExpiredImportTokenException extends KmsError {
  override readonly name = "ExpiredImportTokenException";
}
export class LimitExceededException extends KmsError {
  override readonly name = "LimitExceededException";
}
export class InvalidMarkerException extends KmsError {
  override readonly name = "InvalidMarkerException";
}
export class InvalidGrantTokenException extends KmsError {
  override readonly name = "InvalidGrantTokenException";
}
export class InvalidGrantIdException extends KmsError {
  override readonly name = "InvalidGrantIdException";
}
export class TagException extends KmsError {
  override readonly name = "TagException";
}
export class AccessDeniedException extends KmsError {
  override readonly name = "AccessDeniedException";
}
export class ThrottlingException extends KmsError {
  override readonly name = "ThrottlingException";
}
