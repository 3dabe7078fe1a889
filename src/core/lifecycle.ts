import { AymaraAbortError, AymaraError } from './errors.js';
import { linkSignals, nextTurn } from './signals.js';
import { OwnConnections } from './transport.js';

/**
 * A call in flight as its client's lifecycle holds it, emptied when the call settles. A long-lived Set can keep what
 * it held a while after the entry is deleted, and from V8's old generation that kept each call's promise, and the
 * page it resolved to, through every young collection: a long walk promoted every page.
 */
interface CallInFlight {
  reject: ((reason: unknown) => void) | undefined;
}

const isSignal = (signal: AbortSignal | undefined): signal is AbortSignal => signal !== undefined;

/**
 * A client's life: the connections it opened, and `close()`. A client made by `withOptions()` has a child lifecycle:
 * it shares its parent's connections and is closed when any ancestor is. A child checks whether an ancestor is closed
 * on each call rather than listening to them, so a child made per request leaves nothing behind on its parent.
 */
export class Lifecycle {
  /** The connections the client opened (shared with its children; closed by the client that opened them). */
  readonly connections: OwnConnections;
  readonly #ownsConnections: boolean;
  /** Set by `close()`: what every call of this client, and of the clients made from it, rejects with. */
  #closedReason: AymaraAbortError | undefined;
  /**
   * Aborted a turn of the event loop after `close()` rejects the calls: every fetch's signal includes it. Aborting a
   * thousand fetches takes undici a while; the calls are rejected first, so none waits for the others' clean-up.
   */
  readonly #closingFetches = new AbortController();
  /** This lifecycle's fetch-closing signal and its ancestors': every call's signal includes them. */
  readonly #fetchesClosedBy: readonly AbortSignal[];
  /** This lifecycle and its ancestors: a call is rejected by the close of any of them. */
  readonly #chain: readonly Lifecycle[];
  /** The calls in flight, of this client or of one made from it: close() rejects them all at once. */
  readonly #calls = new Set<CallInFlight>();

  constructor(parent?: Lifecycle) {
    this.connections = parent?.connections ?? new OwnConnections();
    this.#ownsConnections = parent === undefined;
    this.#fetchesClosedBy = [this.#closingFetches.signal, ...(parent ? parent.#fetchesClosedBy : [])];
    this.#chain = [this, ...(parent ? parent.#chain : [])];
  }

  /** Why nothing may be sent any more, once this client or an ancestor was closed. */
  closedError(): AymaraAbortError | undefined {
    for (const lifecycle of this.#chain) if (lifecycle.#closedReason) return lifecycle.#closedReason;
    return undefined;
  }

  /**
   * Runs one call: refused once closed; `work` gets a signal that fires on close or on any of `signals` (the
   * caller's, a page's), and the call rejects the moment the client is closed, whatever `work` is waiting on.
   */
  run<T>(signals: readonly (AbortSignal | undefined)[], work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    if (this.closedError()) return Promise.reject(new AymaraError('The client is closed: create a new AymaraAI to send more requests'));
    const { signal, unlink } = linkSignals([...this.#fetchesClosedBy, ...signals].filter(isSignal));
    const working = work(signal);
    return new Promise<T>((resolve, reject) => {
      const call: CallInFlight = { reject };
      for (const lifecycle of this.#chain) lifecycle.#calls.add(call);
      // Unlinked when the work is over (not when close() rejects the call): the fetches in flight still hear it.
      const done = () => {
        unlink();
        call.reject = undefined;
        for (const lifecycle of this.#chain) lifecycle.#calls.delete(call);
      };
      working.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  /** Rejects every call in flight, then aborts their fetches, then closes the connections this client opened. */
  async close(): Promise<void> {
    if (!this.#closedReason) {
      const reason = (this.#closedReason = new AymaraAbortError('Request aborted: the client was closed'));
      for (const call of this.#calls) call.reject?.(reason);
      await nextTurn();
      this.#closingFetches.abort(reason);
    }
    if (this.#ownsConnections) await this.connections.close();
  }
}
