import { formatWithOptions } from 'node:util';
import type { Logger } from 'aymara-ai';
import { escapeText } from './escape.js';

/**
 * The SDK's log lines, on stderr (the CLI's stdout is for data only: `console` would print info and debug
 * there), each on one line with control characters escaped, since they may quote the server's words.
 */
export const stderrLogger: Logger = Object.fromEntries(
  (['error', 'warn', 'info', 'debug'] as const).map((level) => [
    level,
    (message: string, ...rest: unknown[]) =>
      process.stderr.write(`${escapeText(formatWithOptions({ colors: false, breakLength: Infinity }, message, ...rest))}\n`),
  ]),
) as unknown as Logger;
