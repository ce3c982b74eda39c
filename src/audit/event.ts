/**
 * The audit record in CloudTrail's shape (AWS CloudTrail User Guide, "CloudTrail
 * record contents"; KMS examples in the AWS KMS Developer Guide, "Examples of
 * AWS KMS log entries"), built from the fields one stored line holds
 * (record-line.ts), plus the hash-chain fields of this log.
 *
 * Field by field, as AWS KMS writes them: eventVersion "1.11"; userIdentity
 * from the caller's ARN (Root, IAMUser, AssumedRole, FederatedUser; a caller
 * from another account appears as AWSAccount, and a service acting on its own,
 * such as KMS deleting a key whose waiting period ended, as AWSService with
 * eventType "AwsServiceEvent"); eventTime in whole seconds (ISO 8601, UTC);
 * eventSource "kms.amazonaws.com"; sourceIPAddress and userAgent when the
 * caller gave them; errorCode and errorMessage for a failed call;
 * requestParameters and responseElements (sanitize.ts); requestID, eventID;
 * readOnly; resources, one AWS::KMS::Key per key the call used;
 * managementEvent true and eventCategory "Management" (KMS events are
 * management events); recipientAccountId, the account whose log this is.
 * Differences: `arn` is kept for every identity type (CloudTrail leaves it
 * out for AWSAccount and AWSService), so queries by principal always work;
 * principalId is only known for Root (the account id). An event's
 * userIdentity and resources are frozen objects shared with other events.
 */

export interface UserIdentity {
  type: "Root" | "IAMUser" | "AssumedRole" | "FederatedUser" | "AWSAccount" | "AWSService" | "Unknown";
  principalId?: string;
  arn: string;
  accountId: string;
  userName?: string;
  /** The service, for type AWSService. */
  invokedBy?: string;
}

export interface AuditResource {
  accountId: string;
  type: "AWS::KMS::Key";
  ARN: string;
}

export interface AuditEvent {
  eventVersion: string;
  userIdentity: UserIdentity;
  /** ISO 8601 UTC, whole seconds, e.g. "2026-01-01T00:00:00Z". */
  eventTime: string;
  eventSource: "kms.amazonaws.com";
  eventName: string;
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources: AuditResource[];
  eventType: "AwsApiCall" | "AwsServiceEvent";
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: "Management";
  /** Position in this log: 0, 1, 2, … */
  sequence: number;
  /** `hash` of the record before (64 zeros for the first). */
  previousHash: string;
  /** SHA-256 (hex) of this record's canonical form, previousHash and sequence included. */
  hash: string;
}

/** What one stored line holds (record-line.ts); everything else in an AuditEvent follows from it. */
export interface RecordFields {
  sequence: number;
  previousHash: string;
  /** ms since the epoch. */
  time: number;
  operation: string;
  principal: string;
  account: string;
  region: string;
  request: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
  errorCode: string | null;
  errorMessage: string | null;
  keyArns: string[];
  readOnly: boolean;
  requestId: string;
  eventId: string;
  sourceIp: string | null;
  userAgent: string | null;
  hash: string;
}

export const EVENT_VERSION = "1.11";
export const EVENT_SOURCE = "kms.amazonaws.com";

/**
 * The event of a record. Its userIdentity and resources are shared, frozen
 * objects (the same caller and keys recur on every call); everything else is
 * the event's own.
 */
export function buildEvent(f: RecordFields): AuditEvent {
  const identity = userIdentity(f.principal, f.account);
  const event = {
    eventVersion: EVENT_VERSION,
    userIdentity: identity,
    eventTime: eventTime(f.time),
    eventSource: EVENT_SOURCE,
    eventName: f.operation,
    awsRegion: f.region,
  } as AuditEvent;
  if (f.sourceIp !== null) event.sourceIPAddress = f.sourceIp;
  if (f.userAgent !== null) event.userAgent = f.userAgent;
  if (f.errorCode !== null) {
    event.errorCode = f.errorCode;
    event.errorMessage = f.errorMessage ?? "";
  }
  event.requestParameters = f.request;
  event.responseElements = f.response;
  event.requestID = f.requestId;
  event.eventID = f.eventId;
  event.readOnly = f.readOnly;
  event.resources = f.keyArns.length === 1 ? resourcesOf(f.keyArns[0]) : Object.freeze(f.keyArns.map(resource)) as AuditResource[];
  event.eventType = identity.type === "AWSService" ? "AwsServiceEvent" : "AwsApiCall";
  event.managementEvent = true;
  event.recipientAccountId = f.account;
  event.eventCategory = "Management";
  event.sequence = f.sequence;
  event.previousHash = f.previousHash;
  event.hash = f.hash;
  return event;
}

const PRINCIPAL_ARN = /^arn:aws[\w-]*:(iam|sts)::(\d{12}):(.+)$/;
/** account → principal → identity. */
const identities = new Map<string, Map<string, UserIdentity>>();

/** The CloudTrail userIdentity of `principal` calling into `account`'s log (cached, frozen). */
export function userIdentity(principal: string, account: string): UserIdentity {
  let byPrincipal = identities.get(account);
  if (byPrincipal === undefined) {
    if (identities.size >= 100) identities.clear();
    identities.set(account, (byPrincipal = new Map()));
  }
  let identity = byPrincipal.get(principal);
  if (identity === undefined) {
    identity = Object.freeze(deriveIdentity(principal, account));
    if (byPrincipal.size >= 1000) byPrincipal.clear();
    byPrincipal.set(principal, identity);
  }
  return identity;
}

function deriveIdentity(principal: string, account: string): UserIdentity {
  const m = PRINCIPAL_ARN.exec(principal);
  if (m === null) {
    return /^[a-z0-9.-]+\.amazonaws\.com$/.test(principal)
      ? { type: "AWSService", arn: principal, accountId: account, invokedBy: principal }
      : { type: "Unknown", arn: principal, accountId: account };
  }
  const [, service, callerAccount, resource] = m;
  if (callerAccount !== account) return { type: "AWSAccount", principalId: callerAccount, arn: principal, accountId: callerAccount };
  if (service === "iam" && resource === "root") return { type: "Root", principalId: account, arn: principal, accountId: account };
  if (service === "iam" && resource.startsWith("user/")) {
    return { type: "IAMUser", arn: principal, accountId: account, userName: resource.slice(resource.lastIndexOf("/") + 1) };
  }
  if (resource.startsWith("assumed-role/") || (service === "iam" && resource.startsWith("role/"))) {
    return { type: "AssumedRole", arn: principal, accountId: account };
  }
  if (resource.startsWith("federated-user/")) return { type: "FederatedUser", arn: principal, accountId: account };
  return { type: "Unknown", arn: principal, accountId: account };
}

function resource(arn: string): AuditResource {
  return Object.freeze({ accountId: arnAccount(arn), type: "AWS::KMS::Key", ARN: arn });
}

const resourceLists = new Map<string, AuditResource[]>();

/** The resources of a record that used one key (cached, frozen). */
function resourcesOf(arn: string): AuditResource[] {
  let list = resourceLists.get(arn);
  if (list === undefined) {
    list = Object.freeze([resource(arn)]) as AuditResource[];
    if (resourceLists.size >= 10_000) resourceLists.clear();
    resourceLists.set(arn, list);
  }
  return list;
}

/** The account field of an ARN (arn:partition:service:region:account:resource). */
export function arnAccount(arn: string): string {
  let start = 0;
  for (let i = 0; i < 4; i++) {
    start = arn.indexOf(":", start) + 1;
    if (start === 0) return "";
  }
  const end = arn.indexOf(":", start);
  return end < 0 ? "" : arn.slice(start, end);
}

let cachedSecond = Number.NaN;
let cachedTime = "";

/** CloudTrail's eventTime: UTC, whole seconds. Consecutive records mostly share a second, so the last one is cached. */
export function eventTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedTime = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    cachedSecond = second;
  }
  return cachedTime;
}
