/**
 * Shared set-up for the endpoint tests: a KmsServer on a free loopback port,
 * AWS SDK clients pointed at it, and raw signed requests for the cases the
 * SDK would never send.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { expect } from "vitest";
import { Kms, type KmsOptions } from "../../src/kms/index.js";
import { ACCOUNT, rejects } from "../kms/helpers.js";
import type { CredentialMap } from "../../src/server/credentials.js";
import { KmsServer, type KmsServerOptions } from "../../src/server/kms-server.js";
import { signRequest } from "../../src/server/sigv4-signer.js";

// The SDK warns once per process that its 2027 releases need Node 22; not news to these tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export { ACCOUNT, ROOT, utf8 } from "../kms/helpers.js";
export const REGION = "us-east-1";

export interface Endpoint {
  kms: Kms;
  server: KmsServer;
  url: string;
  port: number;
  /** A KMSClient for `accessKeyId` (secret looked up in the server's credentials; default test/test). */
  client(accessKeyId?: string, config?: Partial<ConstructorParameters<typeof KMSClient>[0]>): KMSClient;
  close(): Promise<void>;
}

/** Starts a KmsServer on 127.0.0.1:<free port> over a fresh in-memory Kms (or the one given). */
export async function startEndpoint(
  options: { kmsOptions?: KmsOptions; kms?: Kms; credentials?: CredentialMap } & Partial<KmsServerOptions> = {},
): Promise<Endpoint> {
  const kms = options.kms ?? new Kms({ account: ACCOUNT, region: REGION, ...options.kmsOptions });
  const credentials = options.credentials ?? new Map([["test", { secretAccessKey: "test", principal: `arn:aws:iam::${kms.account}:root` }]]);
  const server = new KmsServer({ ...options, kms, credentials, onInternalError: options.onInternalError ?? ((e) => console.error(e)) });
  const { url, port } = await server.listen(0, "127.0.0.1");
  const clients: KMSClient[] = [];
  return {
    kms,
    server,
    url,
    port,
    client(accessKeyId = "test", config = {}) {
      const secretAccessKey = credentials.get(accessKeyId)?.secretAccessKey ?? "unknown-secret";
      const client = new KMSClient({ endpoint: url, region: kms.region, credentials: { accessKeyId, secretAccessKey }, ...config });
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.destroy();
      await server.close(1000);
      if (!options.kms) kms.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** POSTs `body` to the endpoint with the given headers, unsigned unless the caller signed. */
export async function post(url: string, body: string, headers: Record<string, string>, path = "/"): Promise<RawResponse> {
  const response = await fetch(new URL(path, url), { method: "POST", headers, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: left empty */
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A request for `operation` signed with our own signer (test/test unless told), as fetch sends it. */
export function signed(
  url: string,
  operation: string,
  body: string | Uint8Array,
  options: { accessKeyId?: string; secretAccessKey?: string; region?: string; now?: number; extraHeaders?: Record<string, string> } = {},
): Record<string, string> {
  const host = new URL(url).host;
  const headers = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": `TrentService.${operation}`,
    ...options.extraHeaders,
  };
  const added = signRequest(
    { method: "POST", host, path: "/", headers, body },
    { accessKeyId: options.accessKeyId ?? "test", secretAccessKey: options.secretAccessKey ?? "test" },
    { region: options.region ?? REGION, service: "kms" },
    options.now,
  );
  return { ...headers, ...added };
}

/** Sends a signed request for `operation` with a raw body. */
export function call(url: string, operation: string, body: string, options: Parameters<typeof signed>[3] = {}) {
  return post(url, body, signed(url, operation, body, options));
}

/** Checks an AWS JSON error answer. */
export function expectError(response: RawResponse, status: number, type: string, message?: RegExp): void {
  expect({ status: response.status, type: response.json.__type }, response.text).toEqual({ status, type });
  expect(typeof response.json.message).toBe("string");
  if (message) expect(response.json.message).toMatch(message);
}

/** Awaits `promise` and checks it rejects with an SDK exception named `name` (and of `type`, if given). */
export async function sdkRejects(promise: Promise<unknown>, name: string, type?: abstract new (...args: never[]) => Error): Promise<Error> {
  const error = await rejects(promise, name);
  if (type) expect(error).toBeInstanceOf(type);
  return error;
}
