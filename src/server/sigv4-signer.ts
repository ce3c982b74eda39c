/**
 * SigV4 on the sending side, in the header form: for load generators and
 * tests that talk to the endpoint without an AWS SDK.
 */
import {
  SIGV4_ALGORITHM,
  SigningKeyCache,
  amzDate,
  canonicalQuery,
  canonicalRequest,
  queryParameters,
  sha256Hex,
  stringToSign,
  trimAll,
} from "./sigv4-canonical.js";

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  method: string;
  /** host[:port], as the Host header will carry it. */
  host: string;
  path: string;
  query?: string;
  /** Headers to send and sign (names in any case). */
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** hex(SHA-256(body)), when the caller has it already (a load generator sending one body again and again). */
  payloadHash?: string;
}

/**
 * Signs a request in the header form and returns the headers to add
 * (X-Amz-Date, X-Amz-Content-Sha256, Authorization); every header given and
 * Host are signed. For load generators and tests: real clients use an SDK.
 */
export function signRequest(
  request: RequestToSign,
  credentials: SigningCredentials,
  scope: { region: string; service: string },
  now = Date.now(),
  keys = new SigningKeyCache(),
): Record<string, string> {
  const date = amzDate(now);
  const payloadHash = request.payloadHash ?? sha256Hex(request.body);
  const added = { "X-Amz-Date": date, "X-Amz-Content-Sha256": payloadHash };
  const headers = new Map<string, string>([["host", request.host]]);
  for (const [name, value] of Object.entries({ ...request.headers, ...added })) headers.set(name.toLowerCase(), trimAll(value));
  const signedHeaders = [...headers.keys()].sort().join(";");
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    canonicalQuery: canonicalQuery(queryParameters(request.query ?? "")),
    headers,
    signedHeaders,
    payloadHash,
  });
  const credentialScope = `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
  const key = keys.get(credentials.secretAccessKey, date.slice(0, 8), scope.region, scope.service);
  const signature = key.hex(stringToSign(date, credentialScope, canonical));
  return {
    ...added,
    Authorization: `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
