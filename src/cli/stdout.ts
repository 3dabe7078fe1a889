import { once } from 'node:events';

/**
 * One invocation's stdout. Whether the reader closed it and whether a gate is still to be decided belong to
 * one `main()` call: each call makes its own, so a call cannot silence or alter the next in the same process.
 */
export class Stdout {
  #closed = false;
  /** A gate is still to be decided: a closed stdout must not end the run before its exit code is known. */
  gatePending = false;

  /** Writes `text`, waiting when the pipe is full so a large run streams in flat memory. */
  async write(text: string): Promise<void> {
    if (this.#closed || text === '') return;
    if (process.stdout.write(text)) return;
    try {
      await once(process.stdout, 'drain');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      this.#closed = true;
    }
  }

  /**
   * The reader closed stdout (`aymara-ai responses ... | head`): that is their choice, not an error. Returns
   * whether to stop now; with a gate still to decide, the run goes on without output.
   */
  close(): boolean {
    this.#closed = true;
    return !this.gatePending;
  }
}
