import { AymaraError } from './errors.js';

type CaptureStackTrace = (target: object, below?: (...args: never[]) => unknown) => void;
const capture = (Error as { captureStackTrace?: CaptureStackTrace }).captureStackTrace;

/** Where a call was made, kept as the runtime keeps a stack: its frames are formatted only if an error needs them. */
export interface CallSite {
  readonly stack?: string;
}

/**
 * The caller's frames, from the frame that called `below` down. An error of the SDK is created deep in the request
 * machinery, where the caller's `await` chain is out of the runtime's sight (timers, sockets, retries): without this,
 * its stack would not say which call of the user's code failed.
 */
export function captureCallSite(below: (...args: never[]) => unknown): CallSite | undefined {
  if (!capture) return undefined;
  const site: CallSite = {};
  capture(site, below);
  return site;
}

/** Errors whose stack already ends with a call site: a `close()` rejects every call with the same error. */
const stamped = new WeakSet<object>();

/** Appends the call site's frames to the stack of an SDK error, once; any other value passes through. */
export function withCallSite(error: unknown, site: CallSite | undefined): unknown {
  if (site === undefined || !(error instanceof AymaraError) || stamped.has(error)) return error;
  stamped.add(error);
  // The first line of a captured stack is the header of an error that does not exist: only the frames are kept.
  const frames = site.stack?.slice(site.stack.indexOf('\n') + 1);
  if (frames) error.stack = `${error.stack ?? `${error.name}: ${error.message}`}\n${frames}`;
  return error;
}
