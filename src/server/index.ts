/**
 * wasmkms/server (Node) — the KMS endpoint: a Kms served over HTTP with the
 * AWS JSON 1.1 protocol (X-Amz-Target TrentService.*) and SigV4
 * authentication, for the AWS SDKs and CLI.
 */
export { DEFAULT_HOST, DEFAULT_PORT, KmsServer, MAX_BODY_BYTES } from "./kms-server.js";
export type { KmsServerOptions, ListeningAddress } from "./kms-server.js";
export {
  DEV_ACCESS_KEY_ID,
  DEV_SECRET_ACCESS_KEY,
  developmentCredentials,
  loadCredentialsFile,
  parseCredentials,
} from "./credentials.js";
export type { Credential, CredentialMap } from "./credentials.js";
export { KMS_API_OPERATIONS, servedOperations } from "./operations.js";
export { ProtocolError } from "./protocol-errors.js";
export { MAX_CLOCK_SKEW_MS, SigV4Verifier } from "./sigv4.js";
export { signRequest } from "./sigv4-signer.js";
export type { RequestToSign, SigningCredentials } from "./sigv4-signer.js";
