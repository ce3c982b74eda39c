/**
 * wasmkms/sdk for Node: everything of the portable SDK, plus bulk file
 * encryption over worker threads and adapters between Node streams and the
 * SDK's web streams.
 *
 *   await encryptFile("backup.tar", "backup.tar.enc", { keyring, encryptionContext: { host: "db-1" } });
 *   await pipeline(createReadStream(p), encryptNodeStream(keyring), createWriteStream(q));
 */
export * from "./index.js";
export { decryptFile, encryptFile } from "./file-encryption.node.js";
export type { DecryptFileOptions, EncryptFileOptions, FileResult } from "./file-encryption.node.js";
export { closeFrameWorkers, defaultFrameWorkers } from "./frame-workers.node.js";
export { decryptNodeStream, encryptNodeStream, nodeReadableToWeb, nodeWritableToWeb, transformToDuplex } from "./node-streams.node.js";
export { AtomicOutput, writeAtomically } from "./atomic-output.node.js";
