/**
 * Bad input never crashes the endpoint and never changes the store:
 * malformed JSON, wrong member types, nonsense values for every operation,
 * unknown operations, oversized bodies, slow, broken and vanishing
 * connections, and concurrent writes to one key. Each gets a typed 4xx.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_MEMBER_TYPES } from "../../src/server/wire-format.js";
import { type Endpoint, call, expectError, post, signed, startEndpoint } from "./helpers.js";

let endpoint: Endpoint;
let keyId: string;

beforeAll(async () => {
  endpoint = await startEndpoint({ headersTimeoutMs: 400, requestTimeoutMs: 800, timeoutCheckIntervalMs: 50 });
  keyId = (await endpoint.kms.createKey({ Description: "robustness" })).KeyMetadata.KeyId;
  await endpoint.kms.createAlias({ AliasName: "alias/robust", TargetKeyId: keyId });
});
afterAll(() => endpoint.close());

/** Everything the store holds, as the Kms reports it. */
async function snapshot(): Promise<string> {
  const kms = endpoint.kms;
  const keys = (await kms.listKeys({ Limit: 1000 })).Keys;
  const described = await Promise.all(keys.map((k) => kms.describeKey({ KeyId: k.KeyId })));
  const tags = await Promise.all(keys.map((k) => kms.listResourceTags({ KeyId: k.KeyId })));
  return JSON.stringify({ described, tags, aliases: await kms.listAliases({ Limit: 1000 }) });
}

/** Sends raw bytes on a fresh connection; resolves with what came back once the server closes it (or after `waitMs`). */
function rawExchange(port: number, parts: (string | Buffer)[], options: { waitMs?: number; destroyAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, options.waitMs ?? 3000);
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on("connect", () => {
      for (const part of parts) socket.write(part);
      if (options.destroyAfterWrite) setTimeout(() => socket.destroy(), 50);
    });
  });
}

/** Status line, headers and JSON body of a raw HTTP response. */
function parseRaw(raw: string): { status: number; headers: string; json: Record<string, unknown> } {
  const [head, body] = raw.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), headers: head.toLowerCase(), json: body ? JSON.parse(body) : {} };
}

describe("the body", () => {
  it("malformed JSON, or JSON that is not an object: SerializationException", async () => {
    for (const body of ["{", '{"KeyId": }', "[1,2]", '"KeyId"', "null", "\u0000\u0001", '{"KeyId":"k"} trailing']) {
      expectError(await call(endpoint.url, "DescribeKey", body), 400, "SerializationException");
    }
  });

  it("a member of the wrong JSON type, for every member of the API: SerializationException", async () => {
    const wrong: Record<string, unknown> = {
      string: 12, integer: "12", boolean: "yes", blob: { $: 1 }, timestamp: "tomorrow",
      stringList: "a", stringMap: ["a"], structure: [1], structureList: { a: 1 },
    };
    const before = await snapshot();
    const answers = await Promise.all(
      [...REQUEST_MEMBER_TYPES].map(async ([member, type]) => {
        const response = await call(endpoint.url, "CreateKey", JSON.stringify({ [member]: wrong[type] }));
        return `${member}: ${response.status} ${response.json.__type}`;
      }),
    );
    expect(answers.filter((a) => !a.endsWith(": 400 SerializationException"))).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  const PROFILES: Record<string, unknown>[] = [
    { string: "alias/../nonsense\u0000", integer: -7, boolean: true, blob: "AAECAw==", timestamp: -1e12,
      stringList: ["nonsense"], stringMap: { "": "" }, structure: { Nonsense: 1 }, structureList: [{}] },
    { string: "", integer: 2 ** 53, boolean: false, blob: "", timestamp: 1e15,
      stringList: [], stringMap: {}, structure: {}, structureList: [] },
    { string: "x".repeat(3000), integer: 0, boolean: true, blob: Buffer.alloc(9000).toString("base64"), timestamp: 0,
      stringList: Array(100).fill("arn:aws:iam::111122223333:root"), stringMap: { aws: "x".repeat(3000) },
      structure: { KeyId: 1 }, structureList: [{ TagKey: "", TagValue: "" }] },
  ];
  const nonsenseBody = (profile: Record<string, unknown>, keyIds?: string) =>
    JSON.stringify(
      Object.fromEntries(
        [...REQUEST_MEMBER_TYPES].map(([member, type]) => [member, keyIds !== undefined && /KeyId$/.test(member) ? keyIds : profile[type]]),
      ),
    );

  it("nonsense values of the right JSON types, for every operation: a 4xx, never a 500, and nothing stored", async () => {
    const before = await snapshot();
    const answers = await Promise.all(
      PROFILES.flatMap((profile, p) =>
        endpoint.server.operations.map(async (operation) => {
          const response = await call(endpoint.url, operation, nonsenseBody(profile));
          return { operation, profile: p, status: response.status, type: response.json.__type };
        }),
      ),
    );
    expect(answers.filter((a) => a.status !== 400 || typeof a.type !== "string" || a.type === "KMSInternalException")).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("nonsense around a real key, for every operation: an answer, never a 500", async () => {
    const scratch = (await endpoint.kms.createKey({ Description: "scratch" })).KeyMetadata.KeyId;
    const answers = await Promise.all(
      PROFILES.flatMap((profile, p) =>
        endpoint.server.operations.map(async (operation) => {
          const response = await call(endpoint.url, operation, nonsenseBody(profile, scratch));
          return { operation, profile: p, status: response.status, type: response.json.__type };
        }),
      ),
    );
    expect(answers.filter((a) => (a.status !== 200 && a.status !== 400) || a.type === "KMSInternalException")).toEqual([]);
  });

  it("over 1 MiB, declared in Content-Length: 413 before a byte of it is read", async () => {
    const headers = signed(endpoint.url, "Encrypt", "{}");
    const head = `POST / HTTP/1.1\r\nHost: ${new URL(endpoint.url).host}\r\n${Object.entries(headers)
      .filter(([name]) => name !== "X-Amz-Content-Sha256")
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")}Content-Length: ${2 << 20}\r\n\r\n`;
    const answer = parseRaw(await rawExchange(endpoint.port, [head]));
    expect(answer.status).toBe(413);
    expect(answer.json.__type).toBe("RequestEntityTooLargeException");
    expect(answer.headers).toContain("connection: close");
  });

  it("over 1 MiB, streamed without a length: 413 once the limit is passed, the connection closed", async () => {
    const chunk = Buffer.alloc(256 * 1024, "a");
    const chunked = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const head = `POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: TrentService.Encrypt\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const raw = await rawExchange(endpoint.port, [head, ...Array.from({ length: 6 }, () => chunked(chunk))]);
    const answer = parseRaw(raw);
    expect(answer.status).toBe(413);
    expect(answer.json.__type).toBe("RequestEntityTooLargeException");
  });

  it("just under 1 MiB is read, and judged by the Kms", async () => {
    const body = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.alloc(700_000).toString("base64") });
    expect(body.length).toBeLessThan(1 << 20);
    expectError(await call(endpoint.url, "Encrypt", body), 400, "ValidationException");
  });
});

describe("the operation", () => {
  it("unknown, missing, of another service, or not an AWS operation: UnknownOperationException", async () => {
    for (const operation of ["Bogus", "as", "sweep", "close", "encrypt", "Constructor"]) {
      expectError(await call(endpoint.url, operation, "{}"), 400, "UnknownOperationException");
    }
    const headers = signed(endpoint.url, "ListKeys", "{}");
    for (const target of ["DynamoDB_20120810.ListTables", "ListKeys", "TrentService."]) {
      const response = await post(endpoint.url, "{}", signed(endpoint.url, "x", "{}", { extraHeaders: { "X-Amz-Target": target } }));
      expectError(response, 400, "UnknownOperationException");
    }
    const { "X-Amz-Target": _, ...untargeted } = headers;
    const noTarget = await post(endpoint.url, "{}", { ...untargeted, Authorization: untargeted.Authorization.replace(";x-amz-target", "") });
    expect(noTarget.json.__type).toMatch(/UnknownOperationException|InvalidSignatureException/);
  });

  it("an unsigned request: MissingAuthenticationTokenException, whatever it asks", async () => {
    const response = await post(endpoint.url, "{}", { "X-Amz-Target": "TrentService.ScheduleKeyDeletion", "Content-Type": "application/x-amz-json-1.1" });
    expectError(response, 400, "MissingAuthenticationTokenException");
  });
});

describe("connections", () => {
  it("headers that never finish: 408 RequestTimeoutException, connection closed", async () => {
    const raw = await rawExchange(endpoint.port, ["POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: TrentService.CreateKey\r\n"]);
    const answer = parseRaw(raw);
    expect(answer.status).toBe(408);
    expect(answer.json.__type).toBe("RequestTimeoutException");
  });

  it("a body that never finishes: 408, and the Kms never sees the request", async () => {
    const before = await snapshot();
    const body = "{}";
    const headers = signed(endpoint.url, "CreateKey", body);
    const head = `POST / HTTP/1.1\r\nHost: ${new URL(endpoint.url).host}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")}Content-Length: 10\r\n\r\n{`;
    const answer = parseRaw(await rawExchange(endpoint.port, [head]));
    expect(answer.status).toBe(408);
    expect(await snapshot()).toBe(before);
  });

  it("a client that hangs up mid-body: nothing happens", async () => {
    const before = await snapshot();
    const headers = signed(endpoint.url, "CreateKey", "{}");
    const head = `POST / HTTP/1.1\r\nHost: ${new URL(endpoint.url).host}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")}Content-Length: 100\r\n\r\n{"Desc`;
    await Promise.all(Array.from({ length: 20 }, () => rawExchange(endpoint.port, [head], { destroyAfterWrite: true })));
    expect(await snapshot()).toBe(before);
    expect((await call(endpoint.url, "ListKeys", "{}")).status).toBe(200);
  });

  it("not HTTP at all: 400 MalformedHttpRequestException", async () => {
    const answer = parseRaw(await rawExchange(endpoint.port, ["HELLO THERE\r\n\r\n"]));
    expect(answer.status).toBe(400);
    expect(answer.json.__type).toBe("MalformedHttpRequestException");
  });
});

describe("pipelining", () => {
  it("a valid request followed by garbage: the valid one is answered first, then 400, then the connection closes", async () => {
    const body = JSON.stringify({ Description: "pipelined" });
    const headers = signed(endpoint.url, "CreateKey", body);
    const request = `POST / HTTP/1.1\r\nHost: ${new URL(endpoint.url).host}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const raw = await rawExchange(endpoint.port, [request + "GARBAGE\r\n\r\n"]);
    const [first, second] = raw.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first).toContain('"KeyMetadata"');
    expect(parseRaw(second ?? "").status).toBe(400);
    expect(parseRaw(second ?? "").json.__type).toBe("MalformedHttpRequestException");
  });
});

describe("concurrent writes to one key", () => {
  const N = 24;

  it("CreateAlias of one name: one wins, the rest get AlreadyExistsException", async () => {
    const keys = await Promise.all(Array.from({ length: N }, async () => (await endpoint.kms.createKey({})).KeyMetadata.KeyId));
    const answers = await Promise.all(keys.map((TargetKeyId) => call(endpoint.url, "CreateAlias", JSON.stringify({ AliasName: "alias/contested", TargetKeyId }))));
    const winners = answers.flatMap((a, i) => (a.status === 200 ? [keys[i]] : []));
    expect(winners).toHaveLength(1);
    for (const a of answers) if (a.status !== 200) expectError(a, 400, "AlreadyExistsException");
    const { Aliases } = await endpoint.kms.listAliases({ KeyId: winners[0] });
    expect(Aliases.map((a) => a.AliasName)).toEqual(["alias/contested"]);
  });

  it("TagResource with different tags: none lost; ScheduleKeyDeletion: one wins, the rest KMSInvalidStateException", async () => {
    const target = (await endpoint.kms.createKey({})).KeyMetadata.KeyId;
    const tagged = await Promise.all(
      Array.from({ length: N }, (_, i) => call(endpoint.url, "TagResource", JSON.stringify({ KeyId: target, Tags: [{ TagKey: `t${i}`, TagValue: `${i}` }] }))),
    );
    expect(tagged.map((a) => a.status)).toEqual(Array(N).fill(200));
    expect((await endpoint.kms.listResourceTags({ KeyId: target })).Tags).toHaveLength(N);

    const scheduled = await Promise.all(
      Array.from({ length: N }, () => call(endpoint.url, "ScheduleKeyDeletion", JSON.stringify({ KeyId: target, PendingWindowInDays: 7 }))),
    );
    expect(scheduled.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of scheduled) if (a.status !== 200) expectError(a, 400, "KMSInvalidStateException");
  });

  it("the endpoint is still serving", async () => {
    const response = await call(endpoint.url, "DescribeKey", JSON.stringify({ KeyId: "alias/robust" }));
    expect(response.status).toBe(200);
    expect((response.json.KeyMetadata as { KeyId: string }).KeyId).toBe(keyId);
  });
});
