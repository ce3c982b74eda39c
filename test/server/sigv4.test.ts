/**
 * SigV4 verification: AWS's published example, signatures made by the AWS
 * SDK's own signer (header and query forms), and every way a signature can be
 * missing, incomplete, wrong or out of date.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/server/protocol-errors.js";
import {
  HmacSha256,
  amzDate,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  queryParameters,
  sha256Hex,
  signingHeaders,
} from "../../src/server/sigv4-canonical.js";
import { signRequest } from "../../src/server/sigv4-signer.js";
import { SigV4Verifier, type SignedHttpRequest } from "../../src/server/sigv4.js";
import { post, startEndpoint } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const SECRETS: Record<string, string> = { AKIDEXAMPLE: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", test: "test" };
const verifier = (region = "us-east-1", service = "kms") => new SigV4Verifier({ region, service, secretFor: (id) => SECRETS[id] });

/** A Hash for the SDK's signer, from node:crypto (HMAC when given a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const binary = (data: SourceData): string | Uint8Array =>
  typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
class Sha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", binary(secret));
  }
  update(data: SourceData) {
    this.#hash.update(binary(data));
  }
  async digest() {
    return new Uint8Array(this.#hash.digest());
  }
}

const sdkSigner = (secretAccessKey = "test", service = "kms") =>
  new SignatureV4({ service, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey }, sha256: Sha256 });

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

const sdkRequest = (body = '{"KeyId":"alias/x"}', path = "/"): SdkRequest & { protocol: string; hostname: string; port: number } => ({
  method: "POST",
  protocol: "http:",
  hostname: "127.0.0.1",
  port: 4599,
  path,
  query: {},
  headers: { host: "127.0.0.1:4599", "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.DescribeKey" },
  body,
});

/** The SDK's request object as our server receives it. */
function received(request: SdkRequest): SignedHttpRequest {
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return {
    method: request.method,
    path: request.path,
    query,
    headers: signingHeaders(Object.entries(request.headers).flat()),
    body: new TextEncoder().encode(request.body),
  };
}

function rejects(fn: () => unknown, name: string, message?: RegExp): ProtocolError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${name}`).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).name, (error as Error).message).toBe(name);
  expect((error as ProtocolError).httpStatus).toBe(400);
  if (message) expect((error as ProtocolError).message).toMatch(message);
  return error as ProtocolError;
}

describe("canonical form", () => {
  it("reproduces AWS's published example (IAM ListUsers, 2015-08-30)", () => {
    const request: SignedHttpRequest = {
      method: "GET",
      path: "/",
      query: "Action=ListUsers&Version=2010-05-08",
      headers: signingHeaders([
        "Host", "iam.amazonaws.com",
        "Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
        "X-Amz-Date", "20150830T123600Z",
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, " +
          "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
      ]),
      body: new Uint8Array(0),
    };
    const canonical = canonicalRequest({
      method: "GET",
      path: "/",
      canonicalQuery: canonicalQuery(queryParameters(request.query)),
      headers: request.headers,
      signedHeaders: "content-type;host;x-amz-date",
      payloadHash: sha256Hex(""),
    });
    expect(sha256Hex(canonical)).toBe("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    expect(verifier("us-east-1", "iam").verify(request, Date.UTC(2015, 7, 30, 12, 36))).toBe("AKIDEXAMPLE");
  });

  it("computes HMAC-SHA-256 as node:crypto does, for keys and messages of every size", () => {
    const keys = ["", "k", "x".repeat(64), "y".repeat(65), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"];
    const messages = ["", "a", "m".repeat(255), "n".repeat(1000), "ünïcødé → 🔑", "short again"];
    for (const key of keys) {
      const mac = new HmacSha256(key);
      for (const message of messages) {
        expect(mac.hex(message)).toBe(createHmac("sha256", key).update(message).digest("hex"));
        expect(mac.digest(message).equals(createHmac("sha256", key).update(message).digest())).toBe(true);
      }
    }
  });

  it("encodes paths and query strings as SigV4 wants", () => {
    expect(canonicalUri("/")).toBe("/");
    expect(canonicalUri("/a/./b/../c//d%20e/")).toBe("/a/c/d%2520e/");
    expect(canonicalQuery(queryParameters("b=2&a=%20x&a=1&c&d=~-_.!*"))).toBe("a=%20x&a=1&b=2&c=&d=~-_.%21%2A");
    expect(amzDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("20260102T030405Z");
  });
});

describe("signatures that verify", () => {
  it("accepts what the AWS SDK's signer signs, in the header form", async () => {
    const signed = await sdkSigner().sign(sdkRequest(), { signingDate: new Date(NOW) });
    expect(verifier().verify(received(signed as SdkRequest), NOW)).toBe("test");
  });

  it("accepts a path other than / and a query string", async () => {
    // The SDK's request path is the path as sent (percent-encoded); both sides encode it once more.
    const request = { ...sdkRequest("{}", "/kms/a%20b/"), query: { z: "1", "a b": "x/y" } };
    const signed = await sdkSigner().sign(request, { signingDate: new Date(NOW) });
    expect(verifier().verify(received(signed as SdkRequest), NOW)).toBe("test");
  });

  it("accepts the query form (presigned), until it expires", async () => {
    const presigned = await sdkSigner().presign(sdkRequest(), { expiresIn: 60, signingDate: new Date(NOW) });
    const wire = received(presigned as SdkRequest);
    expect(wire.headers.has("authorization")).toBe(false);
    expect(verifier().verify(wire, NOW + 59_000)).toBe("test");
    rejects(() => verifier().verify(wire, NOW + 61_000), "InvalidSignatureException", /^Signature expired: 20260115T120000Z is now earlier than/);
    rejects(() => verifier().verify({ ...wire, body: new TextEncoder().encode("{}") }, NOW), "InvalidSignatureException", /does not match/);
  });

  it("accepts our own signer's signatures, at up to 5 minutes of clock skew either way", () => {
    const request = { method: "POST", host: "h:1", path: "/", headers: { "X-Amz-Target": "TrentService.ListKeys" }, body: "{}" };
    for (const skew of [-299_000, 0, 299_000]) {
      const headers = signRequest(request, { accessKeyId: "test", secretAccessKey: "test" }, { region: "us-east-1", service: "kms" }, NOW + skew);
      const wire: SignedHttpRequest = {
        method: "POST",
        path: "/",
        query: "",
        headers: signingHeaders(Object.entries({ Host: "h:1", ...request.headers, ...headers }).flat()),
        body: new TextEncoder().encode("{}"),
      };
      expect(verifier().verify(wire, NOW)).toBe("test");
    }
  });
});

describe("signatures that do not", () => {
  async function signedWire(secret = "test", at = NOW, edit: (r: SdkRequest) => void = () => {}): Promise<SignedHttpRequest> {
    const request = sdkRequest();
    const signed = (await sdkSigner(secret).sign(request, { signingDate: new Date(at) })) as SdkRequest;
    edit(signed);
    return received(signed);
  }
  const authorization = (wire: SignedHttpRequest) => wire.headers.get("authorization")!;
  const withHeader = (wire: SignedHttpRequest, name: string, value: string | undefined) => {
    const headers = new Map(wire.headers);
    if (value === undefined) headers.delete(name);
    else headers.set(name, value);
    return { ...wire, headers };
  };

  it("no signature at all: MissingAuthenticationTokenException", async () => {
    const wire = withHeader(await signedWire(), "authorization", undefined);
    expect(() => verifier().verify(wire, NOW)).toThrow(expect.objectContaining({ name: "MissingAuthenticationTokenException" }));
  });

  it("parts missing or unreadable: IncompleteSignatureException", async () => {
    const wire = await signedWire();
    const auth = authorization(wire);
    rejects(() => verifier().verify(withHeader(wire, "authorization", auth.replace(/, Signature=\w+/, "")), NOW), "IncompleteSignatureException", /requires 'Signature' parameter/);
    rejects(() => verifier().verify(withHeader(wire, "authorization", "AWS4-HMAC-SHA256"), NOW), "IncompleteSignatureException", /'Credential'.*'Signature'.*'SignedHeaders'/);
    rejects(() => verifier().verify(withHeader(wire, "x-amz-date", undefined), NOW), "IncompleteSignatureException", /'X-Amz-Date' or a 'Date' header/);
    rejects(() => verifier().verify(withHeader(wire, "x-amz-date", "2026-01-15T12:00:00Z"), NOW), "IncompleteSignatureException", /ISO-8601 'basic format'/);
    rejects(() => verifier().verify(withHeader(wire, "authorization", auth.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")), NOW), "IncompleteSignatureException", /Unsupported AWS 'algorithm'/);
    rejects(() => verifier().verify(withHeader(wire, "authorization", auth.replace("/kms/aws4_request", "")), NOW), "IncompleteSignatureException", /Credential must have the form/);
  });

  it("an access key id nobody issued: UnrecognizedClientException", async () => {
    const wire = await signedWire();
    const unknown = withHeader(wire, "authorization", authorization(wire).replace("Credential=test/", "Credential=AKIANOBODY/"));
    rejects(() => verifier().verify(unknown, NOW), "UnrecognizedClientException", /security token included in the request is invalid/);
  });

  it("the wrong secret, or anything signed changed afterwards: InvalidSignatureException", async () => {
    rejects(() => verifier().verify(received(sdkRequest()), NOW), "MissingAuthenticationTokenException");
    const wrongSecret = await signedWire("not-the-secret");
    rejects(() => verifier().verify(wrongSecret, NOW), "InvalidSignatureException", /signature we calculated does not match/);
    const wire = await signedWire();
    rejects(() => verifier().verify({ ...wire, body: new TextEncoder().encode('{"KeyId":"alias/y"}') }, NOW), "InvalidSignatureException", /x-amz-content-sha256/);
    const bodyOnly = withHeader(wire, "x-amz-content-sha256", undefined);
    rejects(() => verifier().verify({ ...bodyOnly, body: new TextEncoder().encode('{"KeyId":"alias/y"}') }, NOW), "InvalidSignatureException", /does not match/);
    rejects(() => verifier().verify(withHeader(wire, "x-amz-target", "TrentService.ScheduleKeyDeletion"), NOW), "InvalidSignatureException", /does not match/);
    rejects(() => verifier().verify({ ...wire, path: "/other" }, NOW), "InvalidSignatureException");
    rejects(() => verifier().verify({ ...wire, query: "extra=1" }, NOW), "InvalidSignatureException");
    const upper = withHeader(wire, "authorization", authorization(wire).replace(/Signature=(\w+)/, (_, s: string) => `Signature=${s.toUpperCase()}`));
    rejects(() => verifier().verify(upper, NOW), "InvalidSignatureException");
    const short = withHeader(wire, "authorization", authorization(wire).replace(/Signature=(\w+)/, (_, s: string) => `Signature=${s.slice(2)}`));
    rejects(() => verifier().verify(short, NOW), "InvalidSignatureException");
  });

  it("scoped to another region, service, day or terminator, or not signing Host: InvalidSignatureException", async () => {
    const wire = await signedWire();
    rejects(() => verifier("eu-west-1").verify(wire, NOW), "InvalidSignatureException", /valid region, not 'us-east-1'/);
    const s3 = received((await sdkSigner("test", "s3").sign(sdkRequest(), { signingDate: new Date(NOW) })) as SdkRequest);
    rejects(() => verifier().verify(s3, NOW), "InvalidSignatureException", /correct service: 'kms'/);
    const day = withHeader(wire, "authorization", authorization(wire).replace("/20260115/", "/20260114/"));
    rejects(() => verifier().verify(day, NOW), "InvalidSignatureException", /Date in Credential scope does not match/);
    const terminator = withHeader(wire, "authorization", authorization(wire).replace("aws4_request", "aws5_request"));
    rejects(() => verifier().verify(terminator, NOW), "InvalidSignatureException", /valid terminator/);
    const noHost = withHeader(wire, "authorization", authorization(wire).replace(";host;", ";"));
    rejects(() => verifier().verify(noHost, NOW), "InvalidSignatureException", /'Host' .* must be a 'SignedHeader'/);
  });

  it("more than 5 minutes of clock skew: InvalidSignatureException, worded as AWS words it", async () => {
    const wire = await signedWire();
    rejects(
      () => verifier().verify(wire, NOW + 301_000),
      "InvalidSignatureException",
      /^Signature expired: 20260115T120000Z is now earlier than 20260115T120001Z \(20260115T120501Z - 5 min\.\)$/,
    );
    rejects(
      () => verifier().verify(wire, NOW - 301_000),
      "InvalidSignatureException",
      /^Signature not yet current: 20260115T120000Z is still later than 20260115T115959Z \(20260115T115459Z \+ 5 min\.\)$/,
    );
  });

  it("presigned URLs with a bad X-Amz-Expires: IncompleteSignatureException", async () => {
    const presigned = (await sdkSigner().presign(sdkRequest(), { expiresIn: 60, signingDate: new Date(NOW) })) as SdkRequest;
    for (const expires of ["0", "604801", "soon"]) {
      const wire = received({ ...presigned, query: { ...presigned.query, "X-Amz-Expires": expires } });
      rejects(() => verifier().verify(wire, NOW), "IncompleteSignatureException", /X-Amz-Expires/);
    }
    const { "X-Amz-Credential": _, ...rest } = presigned.query!;
    rejects(() => verifier().verify(received({ ...presigned, query: rest }), NOW), "IncompleteSignatureException", /'X-Amz-Credential'/);
  });
});

describe("over HTTP", () => {
  it("a presigned request (query form, X-Amz-Target in the query) is served", async () => {
    const endpoint = await startEndpoint();
    try {
      const url = new URL(endpoint.url);
      const request = {
        ...sdkRequest("{}"),
        hostname: url.hostname,
        port: Number(url.port),
        headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.ListKeys" },
      };
      const presigned = (await sdkSigner().presign(request, { expiresIn: 60 })) as SdkRequest;
      expect(presigned.query!["x-amz-target"]).toBe("TrentService.ListKeys");
      const query = new URLSearchParams(presigned.query).toString().replace(/\+/g, "%20");
      const response = await post(endpoint.url, "{}", { "content-type": "application/x-amz-json-1.1" }, `/?${query}`);
      expect(response.status, response.text).toBe(200);
      expect(response.json).toEqual({ Keys: [], Truncated: false });
    } finally {
      await endpoint.close();
    }
  });
});
