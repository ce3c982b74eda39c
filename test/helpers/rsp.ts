/**
 * Reader for NIST CAVP `.rsp` files: `[Name = value]` section headers apply to
 * the cases below them; a case is a run of `Name = value` lines (a bare word
 * such as `FAIL` becomes a flag). CRLF or LF.
 */
import { readFileSync } from "node:fs";

export interface RspCase {
  /** Header values in force for this case, e.g. { IVlen: "96", Taglen: "128" }. */
  section: Record<string, string>;
  /** The case's fields; bare flags map to "" (e.g. { FAIL: "" }). */
  fields: Record<string, string>;
}

export function readRsp(path: string | URL): RspCase[] {
  const cases: RspCase[] = [];
  let section: Record<string, string> = {};
  let fields: Record<string, string> | undefined;
  const end = () => {
    if (fields) cases.push({ section, fields });
    fields = undefined;
  };
  for (const raw of readFileSync(path, "latin1").split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line === "") {
      end();
      continue;
    }
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      end();
      // [ENCRYPT] / [DECRYPT] start a new group; [Name = value] adds to the current one.
      section = header[1].includes("=") ? { ...section } : {};
      const [name, value = ""] = header[1].split("=").map((s) => s.trim());
      section[name] = value;
      continue;
    }
    const eq = line.indexOf("=");
    fields ??= {};
    if (eq < 0) fields[line] = "";
    else fields[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  end();
  return cases;
}

export function hex(s: string | undefined): Uint8Array {
  if (!s) return new Uint8Array(0);
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
}
