/**
 * Run by memory.test.ts in its own process (node --expose-gc --import tsx):
 * pushes `MiB` mebibytes through encryptStream → decryptStream and prints the
 * RSS growth over the steady state before the run, as JSON.
 */
import { decryptStream, encryptStream, RawAesKeyring } from "../../src/sdk/index.js";

const mib = Number(process.argv[2] ?? 256);
const suite = Number(process.argv[3] ?? 0x0478) as 0x0478 | 0x0578;
const CHUNK = 64 * 1024;
const pattern = crypto.getRandomValues(new Uint8Array(CHUNK));
const keyring = new RawAesKeyring({ keyNamespace: "mem", keyName: "k", wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
const gc = (globalThis as { gc?: () => void }).gc;

async function run(totalBytes: number, onChunk: (c: Uint8Array, at: number) => void): Promise<number> {
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= totalBytes) return c.close();
      const n = Math.min(CHUNK, totalBytes - sent);
      c.enqueue(n === CHUNK ? pattern : pattern.subarray(0, n));
      sent += n;
    },
  }, { highWaterMark: 0 });
  let received = 0;
  await source
    .pipeThrough(encryptStream(keyring, { suite }))
    .pipeThrough(decryptStream(keyring))
    .pipeTo(new WritableStream({ write(chunk) { onChunk(chunk, received); received += chunk.length; } }));
  return received;
}

await run(8 * 1024 * 1024, () => {}); // warm up: engine, JIT, stream machinery
gc?.();
await new Promise((r) => setTimeout(r, 50));
gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
let mismatches = 0;
const started = performance.now();
const total = mib * 1024 * 1024;
const received = await run(total, (chunk, at) => {
  const off = at % CHUNK;
  const expected = pattern.subarray(off, off + chunk.length);
  if (Buffer.compare(expected, chunk) !== 0) mismatches++;
  if (((at / chunk.length) & 63) === 0) peak = Math.max(peak, process.memoryUsage.rss());
});
const seconds = (performance.now() - started) / 1000;
peak = Math.max(peak, process.memoryUsage.rss());
console.log(JSON.stringify({ mib, suite, received, expected: total, mismatches, baseline, peak, growthMiB: (peak - baseline) / 2 ** 20, seconds }));
