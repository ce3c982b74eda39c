// A vitest reporter that ends the run with one plain line,
// "vitest: N passed, N failed, N skipped", which CI logs can be read by
// regardless of the test runner's own formatting. Used alongside the default reporter.
import type { Reporter, TestModule } from "vitest/node";

export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of testModules) {
      const before = count.failed;
      for (const test of module.children.allTests()) count[test.result().state]++;
      // A file that failed without a failing test (import error, failed beforeAll) still counts as a failure.
      if (module.state() === "failed" && count.failed === before) count.failed++;
    }
    console.log(`vitest: ${count.passed} passed, ${count.failed} failed, ${count.skipped + count.pending} skipped`);
  }
}
