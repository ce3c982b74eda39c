/**
 * A one-line progress bar for a terminal, redrawn in place at most ten times
 * a second:
 *
 *   encrypt [██████████████░░░░░░░░░░░░░░░░]  46%  117.0 / 256.0 MiB  212 MiB/s
 */
const WIDTH = 30;
const MIB = 1024 * 1024;

export interface TerminalLike {
  write(text: string): unknown;
  columns?: number;
}

export class ProgressBar {
  readonly #out: TerminalLike;
  readonly #total: number;
  readonly #label: string;
  readonly #started = performance.now();
  #lastDraw = 0;
  #drawn = false;

  constructor(out: TerminalLike, total: number, label: string) {
    this.#out = out;
    this.#total = total;
    this.#label = label;
  }

  /** Records progress; redraws if 100 ms have passed since the last drawing. */
  update(done: number): void {
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done < this.#total) return;
    this.#lastDraw = now;
    const fraction = this.#total > 0 ? Math.min(1, done / this.#total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? done / MIB / seconds : 0;
    const line =
      `${this.#label} [${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ` +
      `${(done / MIB).toFixed(1)} / ${(this.#total / MIB).toFixed(1)} MiB  ${rate.toFixed(0)} MiB/s`;
    this.#out.write(`\r${line.slice(0, Math.max(20, (this.#out.columns ?? 100) - 1))}\x1b[K`);
    this.#drawn = true;
  }

  /** Erases the bar. */
  finish(): void {
    if (this.#drawn) this.#out.write("\r\x1b[K");
    this.#drawn = false;
  }
}
