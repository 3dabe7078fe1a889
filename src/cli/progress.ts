/**
 * A one-line progress bar on a terminal. A dozen lines by hand rather than a dependency: it only
 * redraws `[#####-----] 50% 500/1,000 responses` with a carriage return, at most every 100 ms.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  #total = 0;
  #done = 0;
  #lastDraw = 0;
  #drawn = false;
  #finished = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  /** Adds to the total: `compare` learns each run's count from its first page. */
  addTotal(n: number): void {
    this.#total = Math.max(0, this.#total + Math.max(0, n));
  }

  tick(n = 1): void {
    this.#done += n;
    const now = Date.now();
    if (now - this.#lastDraw >= 100) this.#draw(now);
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    const width = 30;
    const ratio = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    this.#stream.write(
      `\r[${bar}] ${String(Math.round(ratio * 100)).padStart(3)}% ${this.#done.toLocaleString('en-US')}/${this.#total.toLocaleString('en-US')} responses`,
    );
    this.#drawn = true;
  }

  /** Draws the final state and ends the line. Once: later calls do nothing. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#total === 0 && !this.#drawn) return;
    this.#draw(Date.now());
    this.#stream.write('\n');
  }
}
