/**
 * KmsServer: a Kms served over HTTP as AWS serves KMS, so the AWS SDKs and
 * CLI work against it with only an endpoint URL.
 *
 *   const server = new KmsServer({ kms, credentials });
 *   const { url } = await server.listen(4599, "127.0.0.1");
 *   …
 *   await server.close();            // drains in-flight requests; the Kms stays open
 *
 * One request: `POST /` with `X-Amz-Target: TrentService.<Operation>`, a JSON
 * body (AWS JSON 1.1) and a SigV4 signature. The verified access key selects
 * the principal the call runs as (`kms.as(principal, { sourceIp, userAgent })`,
 * so policies apply to it and audit records name it); the answer is the
 * operation's response as JSON, or `{"__type": <error name>, "message": …}`
 * with the status AWS uses (Kms errors carry theirs, src/kms/errors.ts;
 * protocol errors are in protocol-errors.ts).
 *
 * Answers are not written the moment they are ready but together, once the
 * event loop has handled every request that arrived in the same round of I/O
 * (`setImmediate`). Written one by one, each answer woke its client's
 * process separately, and a wake-up is dear (most of all in a VM): with 32
 * keep-alive clients that cost the server about 40% of its CPU time per
 * request, and the load generator half of its. An answer waits at most for
 * the requests that arrived with it, and under load the mean latency is the
 * same (it is the number of requests in flight over the rate).
 *
 * Hostile or broken clients: a body over `maxBodyBytes` is refused from its
 * Content-Length before it is read, or as soon as the bytes received pass the
 * limit; slow senders are cut off by the header and request timeouts; a
 * client that disconnects mid-request never reaches the Kms; nothing a
 * request contains can throw past the handler. Unexpected errors are a 500
 * KMSInternalException for the client and a log line (with the stack) for
 * the operator.
 */
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type Clock, systemClock } from "../clock.js";
import { KmsError } from "../kms/errors.js";
import type { Kms } from "../kms/kms.js";
import { type CredentialMap, developmentCredentials } from "./credentials.js";
import { type OperationMethod, TARGET_PREFIX, servedOperations } from "./operations.js";
import {
  ProtocolError,
  internalError,
  requestEntityTooLarge,
  requestTimeout,
  unknownOperation,
} from "./protocol-errors.js";
import { signingHeaders } from "./sigv4-canonical.js";
import { SigV4Verifier } from "./sigv4.js";
import { decodeRequest, responseJson } from "./wire-format.js";

export const DEFAULT_PORT = 4599;
export const DEFAULT_HOST = "127.0.0.1";
/** Largest request body accepted: 1 MiB. */
export const MAX_BODY_BYTES = 1 << 20;
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** User agents longer than this are cut before they reach the audit log. */
const MAX_USER_AGENT = 512;
/** Kms views kept for reuse (one per access key, client address and user agent). */
const MAX_CACHED_VIEWS = 4096;

export interface KmsServerOptions {
  /** The KMS to serve. The server never closes it. */
  kms: Kms;
  /** Access keys that may call. Default: test / test acting as the account root. */
  credentials?: CredentialMap;
  /** Time source for the signature-age check. Default: the system clock. */
  clock?: Clock;
  /** Largest request body, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Time allowed to receive a request's headers, in ms. Default 10,000. */
  headersTimeoutMs?: number;
  /** Time allowed to receive a whole request, in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, in ms. Default 5,000. */
  keepAliveTimeoutMs?: number;
  /** How often the header and request timeouts are checked, in ms. Default 1,000. */
  timeoutCheckIntervalMs?: number;
  /** Where unexpected errors (answered with KMSInternalException) are reported. Default: console.error. */
  onInternalError?: (error: unknown, operation: string | undefined, requestId: string) => void;
}

export interface ListeningAddress {
  host: string;
  port: number;
  /** http://host:port, ready for `endpoint` / `--endpoint-url`. */
  url: string;
}

export class KmsServer {
  readonly #kms: Kms;
  readonly #credentials: CredentialMap;
  readonly #clock: Clock;
  readonly #maxBodyBytes: number;
  readonly #verifier: SigV4Verifier;
  readonly #operations: ReadonlyMap<string, string>;
  /** Access key id, client address and user agent → the Kms view calling as that principal from there. */
  readonly #views = new Map<string, Kms>();
  /** Requests handed to the Kms and not yet answered, and what `close` waits on until there are none. */
  #pending = 0;
  #drained: (() => void) | undefined;
  /** Answers ready and not yet written: written together once the current round of I/O is done. */
  #outbox: { res: ServerResponse; answer: Answer; requestId: string }[] = [];
  readonly #onInternalError: NonNullable<KmsServerOptions["onInternalError"]>;
  readonly #http: Server;
  #draining = false;
  #closed: Promise<void> | undefined;

  constructor(options: KmsServerOptions) {
    this.#kms = options.kms;
    this.#credentials = options.credentials ?? developmentCredentials(options.kms.account);
    this.#clock = options.clock ?? systemClock;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#operations = servedOperations(options.kms);
    this.#verifier = new SigV4Verifier({
      region: options.kms.region,
      service: "kms",
      secretFor: (accessKeyId) => this.#credentials.get(accessKeyId)?.secretAccessKey,
    });
    this.#onInternalError =
      options.onInternalError ??
      ((error, operation, requestId) => console.error(`wasmkms: internal error in ${operation ?? "request"} ${requestId}:`, error));
    this.#http = createServer(
      {
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        connectionsCheckingInterval: options.timeoutCheckIntervalMs ?? 1_000,
      },
      (req, res) => this.#receive(req, res),
    );
    this.#http.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(error, socket));
  }

  /** The AWS operations served (those the Kms implements), sorted. */
  get operations(): string[] {
    return [...this.#operations.keys()].sort();
  }

  /** Requests being processed right now. */
  get inFlight(): number {
    return this.#pending;
  }

  /** Starts listening (port 0: any free port) and resolves with the address. */
  listen(port = DEFAULT_PORT, host = DEFAULT_HOST): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#http.once("error", onError);
      this.#http.listen(port, host, () => {
        this.#http.off("error", onError);
        const address = this.#http.address() as AddressInfo;
        const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
        resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
      });
    });
  }

  /**
   * Stops accepting connections, lets requests in flight finish (their
   * responses close their connections), closes idle keep-alive connections,
   * and after `graceMs` cuts off whatever is left. Resolves once no request
   * is inside the Kms any more, so the caller can close it.
   */
  close(graceMs = 10_000): Promise<void> {
    this.#closed ??= (async () => {
      this.#draining = true;
      const stopped = new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.#http.closeIdleConnections();
      const cutOff = setTimeout(() => this.#http.closeAllConnections(), graceMs);
      cutOff.unref();
      try {
        await stopped;
        if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      } finally {
        clearTimeout(cutOff);
      }
    })();
    return this.#closed;
  }

  /** Reads the body (within the size limit), then hands the request on. */
  #receive(req: IncomingMessage, res: ServerResponse): void {
    const limit = this.#maxBodyBytes;
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) {
      this.#send(res, errorBody(requestEntityTooLarge(limit)), randomUUID(), true);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        this.#send(res, errorBody(requestEntityTooLarge(limit)), randomUUID(), true);
      } else {
        chunks.push(chunk);
      }
    });
    // A client that goes away mid-body never reaches the Kms.
    req.on("error", () => (refused = true));
    req.on("end", () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      this.#pending++;
      void this.#dispatch(req, res, body);
    });
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = randomUUID();
    let operation: string | undefined;
    let answer: Answer;
    try {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const query = q < 0 ? "" : url.slice(q + 1);
      const accessKeyId = this.#verifier.verify(
        { method: req.method ?? "POST", path: q < 0 ? url : url.slice(0, q), query, headers: signingHeaders(req.rawHeaders), body },
        this.#clock.now(),
      );
      // Presigning (the query form) moves X-Amz-Target into the query string.
      const header = req.headers["x-amz-target"];
      const target = typeof header === "string" ? header : query === "" ? undefined : targetFromQuery(query);
      operation = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
      const method = operation === undefined ? undefined : this.#operations.get(operation);
      if (method === undefined || req.method !== "POST") throw unknownOperation(target);
      const request = decodeRequest(body);
      const view = this.#viewFor(accessKeyId, req) as unknown as Record<string, OperationMethod>;
      const response = await view[method](request);
      answer = { status: 200, body: responseJson(response ?? {}) };
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof KmsError) {
        answer = errorBody(error);
      } else {
        this.#internalError(error, operation, requestId);
        answer = errorBody(internalError());
      }
    }
    this.#outbox.push({ res, answer, requestId });
    if (this.#outbox.length === 1) setImmediate(this.#sendOutbox);
  }

  /** Writes the answers of this round of I/O, back to back (see the file comment). */
  readonly #sendOutbox = (): void => {
    const answers = this.#outbox;
    this.#outbox = [];
    for (const { res, answer, requestId } of answers) {
      try {
        this.#send(res, answer, requestId, false);
      } catch (error) {
        this.#internalError(error, undefined, requestId);
      }
      if (--this.#pending === 0) this.#drained?.();
    }
  };

  /** Reports an unexpected error; a failing reporter must not take the server down either. */
  #internalError(error: unknown, operation: string | undefined, requestId: string): void {
    try {
      this.#onInternalError(error, operation, requestId);
    } catch {
      /* nothing more to do */
    }
  }

  /** The Kms acting as the access key's principal, with the caller's address and user agent for its audit records. */
  #viewFor(accessKeyId: string, req: IncomingMessage): Kms {
    const sourceIp = req.socket.remoteAddress ?? "";
    const agent = req.headers["user-agent"];
    const userAgent = typeof agent === "string" ? agent.slice(0, MAX_USER_AGENT) : "";
    const id = `${accessKeyId}\n${sourceIp}\n${userAgent}`;
    let view = this.#views.get(id);
    if (view === undefined) {
      if (this.#views.size >= MAX_CACHED_VIEWS) this.#views.clear();
      view = this.#kms.as(this.#credentials.get(accessKeyId)!.principal, { sourceIp, userAgent });
      this.#views.set(id, view);
    }
    return view;
  }

  #send(res: ServerResponse, answer: Answer, requestId: string, closeConnection: boolean): void {
    if (res.destroyed || res.headersSent) return; // the client went away, or a refusal was already sent
    const headers = ["Content-Type", CONTENT_TYPE, "Content-Length", String(Buffer.byteLength(answer.body)), "x-amzn-RequestId", requestId];
    if (answer.errorType !== undefined) headers.push("x-amzn-ErrorType", answer.errorType);
    if (closeConnection || this.#draining) headers.push("Connection", "close");
    try {
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    } catch (error) {
      this.#internalError(error, undefined, requestId);
      res.destroy();
    }
  }

  /** Malformed HTTP and timed-out requests, which never reach `#receive`: answered on the raw socket. */
  #clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const response = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    if (response && !response.writableFinished && response.req?.complete) {
      // A request before the bad bytes (pipelined on this connection) is still being answered: its
      // answer goes out first, so responses stay in request order, then the error closes the connection.
      response.once("finish", () => this.#clientError(error, socket));
      response.once("close", () => response.writableFinished || socket.destroy());
      return;
    }
    if (response?.headersSent) {
      socket.destroy();
      return;
    }
    const problem =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? requestTimeout()
        : error.code === "HPE_HEADER_OVERFLOW"
          ? new ProtocolError("RequestHeaderSectionTooLarge", "The request's headers are too large", 431)
          : new ProtocolError("MalformedHttpRequestException", `The request is not valid HTTP/1.1 (${error.code ?? error.message})`);
    const { status, body } = errorBody(problem);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-amzn-ErrorType: ${problem.name}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

function targetFromQuery(query: string): string | undefined {
  const parameters = new URLSearchParams(query);
  return parameters.get("X-Amz-Target") ?? parameters.get("x-amz-target") ?? undefined;
}

interface Answer {
  status: number;
  body: string;
  errorType?: string;
}

/** The AWS JSON error body and status of an error. */
function errorBody(error: ProtocolError | KmsError): Answer {
  return { status: error.httpStatus, body: JSON.stringify({ __type: error.name, message: error.message }), errorType: error.name };
}
