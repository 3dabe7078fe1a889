/**
 * JSON for the CLI's output. `JSON.stringify` recurses, so a response with a deeply nested unknown field
 * (which `JSON.parse` and the SDK accept: the API may grow) would overflow the stack and crash the command.
 * Such a value goes through an iterative writer instead, which prints the same text.
 */
import { escapeJSON } from './escape.js';

type Frame = { kind: 'array'; items: readonly unknown[]; next: number } | { kind: 'object'; entries: [string, unknown][]; next: number; wrote: boolean };

/**
 * `JSON.stringify(value)` for data parsed from JSON (objects, arrays, strings, finite numbers, booleans,
 * null), with no depth limit: an explicit stack instead of recursion. Like `JSON.stringify`, it skips
 * `undefined` and function members of objects, writes them as `null` in arrays, and writes non-finite numbers as `null`.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const scalar = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? 'null' : (JSON.stringify(v) ?? 'null'));
  const open = (v: unknown): void => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      if (Array.isArray(v)) {
        out.push('[');
        stack.push({ kind: 'array', items: v, next: 0 });
      } else {
        out.push('{');
        const entries = Object.entries(v as Record<string, unknown>).filter(([, m]) => m !== undefined && typeof m !== 'function' && typeof m !== 'symbol');
        stack.push({ kind: 'object', entries, next: 0, wrote: false });
      }
    } else {
      out.push(scalar(v));
    }
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.kind === 'array') {
      if (frame.next === frame.items.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (frame.next > 0) out.push(',');
      const item = frame.items[frame.next++];
      open(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item);
    } else {
      if (frame.next === frame.entries.length) {
        out.push('}');
        stack.pop();
        continue;
      }
      const [key, member] = frame.entries[frame.next++] as [string, unknown];
      out.push(`${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`);
      frame.wrote = true;
      open(member);
    }
  }
  return out.join('');
}

/** One JSON document on one line, safe for a terminal (see escape.ts), however deep the value. */
export function toJSONLine(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    text = stringifyDeep(value);
  }
  return escapeJSON(text);
}

/** An indented JSON document (two spaces) of the CLI's own reports, safe for a terminal. */
export function toJSONPretty(value: unknown): string {
  return escapeJSON(JSON.stringify(value, null, 2));
}
