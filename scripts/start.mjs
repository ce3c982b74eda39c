// `npm start`: the KMS endpoint on 127.0.0.1:4599 from the built package (dist/, built by prestart),
// exactly `wasmkms serve`. Options go after `--`, e.g. `npm start -- --port 4600 --quotas aws-current`.
// The engine demo that `npm start` used to run is `npm run demo`.
import { main } from "wasmkms/cli";

process.exitCode = await main(["serve", ...process.argv.slice(2)]);
