/**
 * Crash safety of the endpoint: `wasmkms serve` is SIGKILLed while clients
 * create keys, rotate them and encrypt under them. After each restart on the
 * same data directory, every key whose CreateKey was answered is there and
 * every ciphertext whose Encrypt was answered decrypts to its plaintext.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as K from "@aws-sdk/client-kms";
import { afterAll, expect, it } from "vitest";
import { utf8 } from "./helpers.js";
import { killLeftovers, startServe } from "./serve-process.js";

const KILLS = 3;
const WORKERS = 4;
const dir = mkdtempSync(join(tmpdir(), "wasmkms-crash-"));
const env = { WASMKMS_ROOT_KEY: Buffer.alloc(32, 42).toString("base64") };
afterAll(() => {
  killLeftovers();
  rmSync(dir, { recursive: true, force: true });
});

interface Acknowledged {
  keys: string[];
  ciphertexts: { keyId: string; plaintext: string; blob: Uint8Array }[];
}

/** Writes through `url` until `stop` says so; records only what the server answered. */
async function writeLoad(url: string, stop: () => boolean, acked: Acknowledged, worker: number): Promise<void> {
  const kms = new K.KMSClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  let mine: string | undefined;
  try {
    for (let n = 0; !stop(); n++) {
      if (mine === undefined || n % 5 === 0) {
        mine = (await kms.send(new K.CreateKeyCommand({ Description: `crash ${worker}.${n}` }))).KeyMetadata!.KeyId!;
        acked.keys.push(mine);
      } else if (n % 7 === 3) {
        await kms.send(new K.RotateKeyOnDemandCommand({ KeyId: mine }));
      } else {
        const plaintext = `worker ${worker} message ${n}`;
        const { CiphertextBlob } = await kms.send(new K.EncryptCommand({ KeyId: mine, Plaintext: utf8(plaintext), EncryptionContext: { n: String(n) } }));
        acked.ciphertexts.push({ keyId: mine, plaintext, blob: CiphertextBlob! });
      }
    }
  } catch {
    // The server was killed mid-request: whatever was not answered is not acknowledged.
  } finally {
    kms.destroy();
  }
}

it(`every acknowledged key and ciphertext survives ${KILLS} SIGKILLs of the server under write load`, { timeout: 90_000 }, async () => {
  const dataDir = join(dir, "data");
  const acked: Acknowledged = { keys: [], ciphertexts: [] };
  for (let kill = 0; kill <= KILLS; kill++) {
    const server = await startServe(["--data-dir", dataDir], env);
    const kms = new K.KMSClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    // Everything acknowledged before the last kill is here.
    const listed = new Set<string>();
    let Marker: string | undefined;
    do {
      const page = await kms.send(new K.ListKeysCommand({ Limit: 1000, Marker }));
      for (const k of page.Keys ?? []) listed.add(k.KeyId!);
      Marker = page.NextMarker;
    } while (Marker);
    expect(acked.keys.filter((k) => !listed.has(k)), `after kill ${kill}`).toEqual([]);
    for (const { keyId, plaintext, blob } of acked.ciphertexts) {
      const n = /message (\d+)$/.exec(plaintext)![1];
      const out = await kms.send(new K.DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { n } }));
      expect(new TextDecoder().decode(out.Plaintext), `after kill ${kill}`).toBe(plaintext);
      expect(out.KeyId).toMatch(new RegExp(`${keyId}$`));
    }
    kms.destroy();
    if (kill === KILLS) {
      server.child.kill("SIGTERM");
      expect((await server.exited).code).toBe(0);
      break;
    }
    // Write until killed at a random moment.
    const before = acked.keys.length + acked.ciphertexts.length;
    let killed = false;
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => writeLoad(server.url, () => killed, acked, w)));
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 500));
    server.child.kill("SIGKILL");
    killed = true;
    expect((await server.exited).signal).toBe("SIGKILL");
    await load;
    expect(acked.keys.length + acked.ciphertexts.length, "the load made progress before the kill").toBeGreaterThan(before);
  }
  expect(acked.keys.length).toBeGreaterThan(KILLS);
  expect(acked.ciphertexts.length).toBeGreaterThan(KILLS * 10);
});
