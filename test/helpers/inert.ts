/** Checks that markdown cannot act on GitHub: no mention, issue reference or autolink outside a code span. */
import { expect } from 'vitest';

/** What GitHub would act on, outside code spans (which it leaves alone). */
const ACTIVE: [string, RegExp][] = [
  ['a mention', /(^|[^\w`])@[a-z0-9]/i],
  ['an issue reference', /(^|[^\w`])#\d/],
  ['a cross-repository reference', /[\w.-]+\/[\w.-]+#\d/],
  ['a GH- reference', /\bGH-\d/i],
  ['an autolinked URL', /\b(https?|ftp):\/\/|\bwww\./i],
];

export function withoutCodeSpans(markdown: string): string {
  // An escaped backtick opens no code span (and must not hide what follows it from the check).
  return markdown.replace(/\\`/g, '').replace(/(`+)[\s\S]*?\1/g, '');
}

export function expectInert(markdown: string, where: string): void {
  const outside = withoutCodeSpans(markdown);
  const found = ACTIVE.flatMap(([what, pattern]) => {
    const m = pattern.exec(outside);
    return m ? [{ where, what, near: outside.slice(Math.max(0, m.index - 30), m.index + 30) }] : [];
  });
  expect(found).toEqual([]);
}
