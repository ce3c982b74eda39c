/**
 * Errors the endpoint itself raises, before or around a Kms operation:
 * authentication (SigV4), the wire format, the HTTP envelope. Like the Kms
 * errors (src/kms/errors.ts) each has `name` = the AWS error code that goes
 * into the `__type` of the JSON error body, and the HTTP status AWS answers
 * with, so the AWS SDKs raise the same exceptions they raise against AWS.
 */
export class ProtocolError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

/** No Authorization header and no X-Amz-Algorithm query parameter. */
export const missingAuthenticationToken = () =>
  new ProtocolError("MissingAuthenticationTokenException", "Missing Authentication Token");

/** The signature is there but parts of it are missing or unreadable. */
export const incompleteSignature = (message: string) => new ProtocolError("IncompleteSignatureException", message);

/** A well-formed signature that does not verify: wrong secret, wrong scope, tampered request, expired. */
export const invalidSignature = (message: string) => new ProtocolError("InvalidSignatureException", message);

/** The access key id is not one this endpoint knows. */
export const unrecognizedClient = () =>
  new ProtocolError("UnrecognizedClientException", "The security token included in the request is invalid.");

/** X-Amz-Target missing, of another service, or naming no operation. */
export const unknownOperation = (target: string | undefined) =>
  new ProtocolError(
    "UnknownOperationException",
    target ? `Unknown operation ${JSON.stringify(target)}` : "Missing X-Amz-Target header (TrentService.<Operation>)",
  );

/** The body is not JSON, not an object, or a field has the wrong JSON type. */
export const serializationError = (message: string) => new ProtocolError("SerializationException", message);

export const requestEntityTooLarge = (limit: number) =>
  new ProtocolError("RequestEntityTooLargeException", `Request body must be at most ${limit} bytes`, 413);

export const requestTimeout = () =>
  new ProtocolError("RequestTimeoutException", "The request was not received completely in time", 408);

/** Anything unexpected: the details go to the server's log, not to the client. */
export const internalError = () => new ProtocolError("KMSInternalException", "An internal error occurred", 500);
