/**
 * AWS Signature Version 4 on the receiving side: the endpoint recomputes the
 * client's signature (canonical form: sigv4-canonical.ts) and compares.
 *
 * A signed request carries (header form) `Authorization: AWS4-HMAC-SHA256
 * Credential=<key id>/<YYYYMMDD>/<region>/<service>/aws4_request,
 * SignedHeaders=<a;b;c>, Signature=<hex>` and `X-Amz-Date: <YYYYMMDDTHHMMSSZ>`,
 * or (query form, "presigned") the same parts as X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and
 * X-Amz-Signature query parameters. The payload hash is always computed from
 * the body received: an `x-amz-content-sha256` header that disagrees is
 * refused, so a signature can never cover a different body.
 *
 * Failures are the errors AWS answers with: no signature at all
 * MissingAuthenticationTokenException, parts missing or unreadable
 * IncompleteSignatureException, an unknown access key
 * UnrecognizedClientException, and everything else (wrong secret, wrong
 * scope, tampered request, more than 5 minutes of clock skew, an expired
 * presigned URL) InvalidSignatureException, worded as AWS words it.
 * Signatures are compared in constant time; signing keys are cached per
 * access key and day (deriving one takes four HMACs), ready for HMAC
 * (sigv4-canonical.ts). Nothing about a request's verdict is cached: every
 * request is checked in full.
 */
import { timingSafeEqual } from "node:crypto";
import { incompleteSignature, invalidSignature, missingAuthenticationToken, unrecognizedClient } from "./protocol-errors.js";
import {
  SIGV4_ALGORITHM,
  SigningKeyCache,
  amzDate,
  canonicalQuery,
  canonicalRequest,
  queryParameters,
  sha256Hex,
  stringToSign,
} from "./sigv4-canonical.js";

/** AWS refuses a request signed more than 5 minutes before or after its own clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** The longest a query-form (presigned) signature may be valid: 7 days. */
export const MAX_PRESIGNED_EXPIRES_S = 604_800;

/** What SigV4 covers of an HTTP request, as received. */
export interface SignedHttpRequest {
  method: string;
  /** Path as sent (still percent-encoded), without the query string. */
  path: string;
  /** Query string as sent, without "?"; "" when there is none. */
  query: string;
  /** Lowercase header name → value (repeated headers joined with ","), see `signingHeaders`. */
  headers: ReadonlyMap<string, string>;
  body: Uint8Array;
}

const BASIC_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

let lastDate = "";
let lastTime = Number.NaN;

/** YYYYMMDDTHHMMSSZ → ms, or NaN. Requests arriving together mostly carry the same second: the last one is kept. */
function parseAmzDate(value: string): number {
  if (value === lastDate) return lastTime;
  const m = BASIC_DATE.exec(value);
  const time = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
  lastDate = value;
  lastTime = time;
  return time;
}

/** The parts of a signature, from the Authorization header or the query string. */
interface SignatureParts {
  form: "header" | "query";
  credential: string;
  signedHeaders: string;
  signature: string;
  /** The request time as signed (YYYYMMDDTHHMMSSZ) and in ms. */
  amzDate: string;
  time: number;
  /** Query form: seconds the signature stays valid. */
  expires?: number;
  /** Query form: the parameters, to rebuild the canonical query without the signature. */
  parameters?: [string, string][];
}

function headerSignatureParts(authorization: string, headers: ReadonlyMap<string, string>): SignatureParts {
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}' (this endpoint accepts ${SIGV4_ALGORITHM})`);
  }
  let credential = "";
  let signature = "";
  let signedHeaders = "";
  for (const part of authorization.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === "Credential") credential = part.slice(eq + 1).trim();
    else if (name === "Signature") signature = part.slice(eq + 1).trim();
    else if (name === "SignedHeaders") signedHeaders = part.slice(eq + 1).trim();
  }
  const dateHeader = headers.get("x-amz-date") ?? headers.get("date");
  if (credential === "" || signature === "" || signedHeaders === "" || dateHeader === undefined) {
    const given: Record<string, string> = { Credential: credential, Signature: signature, SignedHeaders: signedHeaders };
    const problems = Object.keys(given)
      .filter((name) => given[name] === "")
      .map((name) => `Authorization header requires '${name}' parameter.`);
    if (dateHeader === undefined) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    throw incompleteSignature(problems.join(" "));
  }
  let time = parseAmzDate(dateHeader!);
  let signedDate = dateHeader!;
  if (Number.isNaN(time) && !headers.has("x-amz-date")) {
    // An RFC 1123 Date header: the string to sign has it in the basic format.
    time = Date.parse(dateHeader!);
    if (!Number.isNaN(time)) signedDate = amzDate(time);
  }
  if (Number.isNaN(time)) throw incompleteSignature(`Date must be in ISO-8601 'basic format' (YYYYMMDDTHHMMSSZ). Got '${dateHeader}'.`);
  return { form: "header", credential, signedHeaders, signature, amzDate: signedDate, time };
}

function querySignatureParts(parameters: [string, string][]): SignatureParts {
  const get = (name: string) => parameters.find(([n]) => n === name)?.[1];
  const algorithm = get("X-Amz-Algorithm");
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}' (this endpoint accepts ${SIGV4_ALGORITHM})`);
  }
  const required = ["X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date", "X-Amz-Expires"];
  const missing = required.filter((name) => !get(name));
  if (missing.length > 0) {
    throw incompleteSignature(`AWS query-string parameters must include ${missing.map((n) => `'${n}'`).join(", ")}.`);
  }
  const date = get("X-Amz-Date")!;
  const time = parseAmzDate(date);
  if (Number.isNaN(time)) throw incompleteSignature(`X-Amz-Date must be in ISO-8601 'basic format' (YYYYMMDDTHHMMSSZ). Got '${date}'.`);
  const expires = Number(get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_S) {
    throw incompleteSignature(`X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGNED_EXPIRES_S} (seconds). Got '${get("X-Amz-Expires")}'.`);
  }
  return {
    form: "query",
    credential: get("X-Amz-Credential")!,
    signedHeaders: get("X-Amz-SignedHeaders")!,
    signature: get("X-Amz-Signature")!,
    amzDate: date,
    time,
    expires,
    parameters,
  };
}

export interface SigV4VerifierOptions {
  /** The region requests must be scoped to. */
  region: string;
  /** The service name in the credential scope ("kms"). */
  service: string;
  /** The secret access key of an access key id, or undefined for an unknown id. */
  secretFor(accessKeyId: string): string | undefined;
}

/** Checks SigV4 signatures for one region and service. */
export class SigV4Verifier {
  readonly #options: SigV4VerifierOptions;
  readonly #keys = new SigningKeyCache();

  constructor(options: SigV4VerifierOptions) {
    this.#options = options;
  }

  /**
   * Verifies `request` at time `now` (ms) and returns the access key id that
   * signed it; throws a ProtocolError (MissingAuthenticationToken,
   * IncompleteSignature, UnrecognizedClient or InvalidSignature) otherwise.
   */
  verify(request: SignedHttpRequest, now: number): string {
    const authorization = request.headers.get("authorization");
    let parameters: [string, string][] = [];
    if (request.query !== "") {
      try {
        parameters = queryParameters(request.query);
      } catch {
        throw incompleteSignature("The query string is not validly percent-encoded.");
      }
    }
    let parts: SignatureParts;
    if (authorization !== undefined) parts = headerSignatureParts(authorization, request.headers);
    else if (parameters.some(([name]) => name === "X-Amz-Algorithm")) parts = querySignatureParts(parameters);
    else throw missingAuthenticationToken();

    const scope = parts.credential.split("/");
    if (scope.length !== 5 || scope.some((s) => s === "")) {
      throw incompleteSignature(`Credential must have the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request. Got '${parts.credential}'.`);
    }
    const [accessKeyId, date, region, service, terminator] = scope;
    const secret = this.#options.secretFor(accessKeyId);
    if (secret === undefined) throw unrecognizedClient();
    if (date !== parts.amzDate.slice(0, 8)) {
      throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${parts.amzDate.slice(0, 8)}', from '${parts.amzDate}'.`);
    }
    if (region !== this.#options.region) throw invalidSignature(`Credential should be scoped to a valid region, not '${region}'. This endpoint serves '${this.#options.region}'.`);
    if (service !== this.#options.service) throw invalidSignature(`Credential should be scoped to correct service: '${this.#options.service}'.`);
    if (terminator !== "aws4_request") throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
    checkTime(parts, now);

    if (!listsHost(parts.signedHeaders)) throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    const payloadHash = sha256Hex(request.body);
    const declaredHash = request.headers.get("x-amz-content-sha256");
    if (declaredHash !== undefined && declaredHash !== payloadHash) {
      throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const canonical = canonicalRequest({
      method: request.method,
      path: request.path,
      canonicalQuery: parts.form === "query" ? canonicalQuery(parts.parameters!, "X-Amz-Signature") : canonicalQuery(parameters),
      headers: request.headers,
      signedHeaders: parts.signedHeaders,
      payloadHash,
    });
    // The credential after the access key id is exactly date/region/service/aws4_request (checked above).
    const toSign = stringToSign(parts.amzDate, parts.credential.slice(accessKeyId.length + 1), canonical);
    const expected = this.#keys.get(secret, date, region, service).hex(toSign);
    if (!signaturesEqual(expected, parts.signature)) {
      throw invalidSignature(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method." +
          `\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${toSign}'\n`,
      );
    }
    return accessKeyId;
  }
}

/** Whether a SignedHeaders list (names joined by ";") names host. */
function listsHost(signedHeaders: string): boolean {
  return signedHeaders === "host" || signedHeaders.startsWith("host;") || signedHeaders.endsWith(";host") || signedHeaders.includes(";host;");
}

function checkTime(parts: SignatureParts, now: number): void {
  const iso = amzDate;
  if (parts.time - now > MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${parts.amzDate} is still later than ${iso(now + MAX_CLOCK_SKEW_MS)} (${iso(now)} + 5 min.)`,
    );
  }
  if (parts.form === "query") {
    const expires = parts.expires!;
    if (now - parts.time > expires * 1000) {
      throw invalidSignature(`Signature expired: ${parts.amzDate} is now earlier than ${iso(now - expires * 1000)} (${iso(now)} - ${expires} sec.)`);
    }
  } else if (now - parts.time > MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${parts.amzDate} is now earlier than ${iso(now - MAX_CLOCK_SKEW_MS)} (${iso(now)} - 5 min.)`);
  }
}

/** Constant-time comparison of the expected hex signature with the one received. */
function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "latin1");
  const b = Buffer.from(given, "latin1");
  // Lengths are public (64 hex digits); a wrong length is not a timing secret.
  return a.length === b.length && timingSafeEqual(a, b);
}
