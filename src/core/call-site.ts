// An SDK error is created deep in the request machinery (a socket callback, a timer, a retry), where the caller's
// code is not on the stack: without help its stack would not say which call of the user's code failed. V8 can list
// the async functions awaiting the code that is running ("at async loadReport (app.js:12:5)") when a stack is
// captured there, following the chain of promises from it to the caller's `await`. So an error is given the caller's
// frames where the SDK hands it over: in an async function whose promise the caller's `await` receives directly, the
// error's stack gains the frames captured at that moment. It costs nothing until a call fails.
import { AymaraError } from './errors.js';

type CaptureStackTrace = (target: object, below?: (...args: never[]) => unknown) => void;

/** Errors whose stack already ends with the caller's frames: a `close()` rejects every call with the same error. */
const stamped = new WeakSet<object>();

/**
 * Appends the awaiting code's frames to the stack of an SDK error, once; any other value passes through. Called from
 * the async function `handing` (left out of the frames) as it rejects with `error`, while its caller awaits it.
 */
export function withCaller(error: unknown, handing: (...args: never[]) => unknown): unknown {
  // Looked up here, when a call fails: V8's, where there is one.
  const capture = (Error as { captureStackTrace?: CaptureStackTrace }).captureStackTrace;
  if (!capture || !(error instanceof AymaraError) || stamped.has(error)) return error;
  stamped.add(error);
  const site: { stack?: string } = {};
  capture(site, handing);
  // The first line of a captured stack is the header of an error that does not exist: only the frames are kept.
  const frames = site.stack?.slice(site.stack.indexOf('\n') + 1);
  if (frames) error.stack = `${error.stack ?? `${error.name}: ${error.message}`}\n${frames}`;
  return error;
}

/** `work`, settled in an async function that gives an SDK error it rejects with the frames of the code awaiting it. */
export async function handOver<T>(work: PromiseLike<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw withCaller(error, handOver);
  }
}
