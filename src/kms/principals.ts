/**
 * Principal ARNs: who calls. A caller is an IAM user, role or account root
 * (`arn:aws:iam::<account>:user/…`, `…:role/…`, `…:root`) or an STS session
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`, `…:federated-user/…`).
 * A session of a role acts with the role's identity policies and matches
 * grants made to the role, as in AWS.
 */
import { ValidationException } from "./errors.js";

const PRINCIPAL_ARN = /^arn:aws:(iam|sts)::(\d{12}):(.+)$/;
/** AWS's PrincipalIdType pattern and length (grantee and retiring principals). */
const PRINCIPAL_ID = /^[\w+=,.@:/-]+$/;
const MAX_PRINCIPAL_ID = 256;

export function isPrincipalArn(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_PRINCIPAL_ID && PRINCIPAL_ID.test(value) && PRINCIPAL_ARN.test(value);
}

/** The 12-digit account of a principal ARN (which must be valid). */
export function principalAccount(arn: string): string {
  return arn.split(":", 5)[4];
}

export function accountRoot(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

export function isAccountRoot(arn: string): boolean {
  return arn.endsWith(":root") && arn.startsWith("arn:aws:iam::");
}

/**
 * The IAM identity behind a principal: the role of an assumed-role session,
 * otherwise the principal itself. Identity policies attach to this ARN.
 */
export function identityArn(arn: string): string {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : arn;
}

/** Whether `caller` is `principal`, or a session of the role `principal`. */
export function actsAs(caller: string, principal: string): boolean {
  return caller === principal || identityArn(caller) === principal;
}

/** Checks a principal parameter (GranteePrincipal, RetiringPrincipal, …). */
export function principalField(value: unknown, field: string, required: true): string;
export function principalField(value: unknown, field: string, required?: boolean): string | undefined;
export function principalField(value: unknown, field: string, required = false): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new ValidationException(`1 validation error detected: '${field}' is required`);
    return undefined;
  }
  if (!isPrincipalArn(value)) {
    throw new ValidationException(
      `${field} ${JSON.stringify(value)} is not valid: give the ARN of an AWS principal ` +
        "(arn:aws:iam::<account>:root, …:user/<name>, …:role/<name>, or an arn:aws:sts:: session)",
    );
  }
  return value;
}
