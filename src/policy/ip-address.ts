/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress
 * condition operators (aws:SourceIp). An address is 4 or 16 bytes; an IPv4
 * address never matches an IPv6 block or the other way round.
 */

export interface CidrBlock {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEX_GROUP.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** 4 or 16 bytes, or undefined when `text` is not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = parseIpv4(text);
  if (v4) return Uint8Array.from(v4);
  return text.includes(":") ? parseIpv6(text) : undefined;
}

/** "203.0.113.0/24", "2001:db8::/32", or a single address (a /32 or /128). */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf("/");
  const bytes = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: max };
  const digits = text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(digits) ? Number(digits) : NaN;
  return prefix <= max ? { bytes, prefix } : undefined;
}

export function inCidr(address: Uint8Array, block: CidrBlock): boolean {
  if (address.length !== block.bytes.length) return false;
  let bits = block.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i] & mask) !== (block.bytes[i] & mask)) return false;
  }
  return true;
}
