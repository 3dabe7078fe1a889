/**
 * Markdown for reports that GitHub (a job summary, a pull request comment) or GitLab render. The server's text
 * goes in as text: it cannot add markup, HTML, a table cell or a line of its own.
 */
import { escapeText } from './escape.js';

/** Server text as plain Markdown text: control characters escaped, markup and HTML characters neutralised. */
export function mdText(text: string): string {
  return (
    escapeText(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Only what is markup inside a line (reports put server text mid-line, never at a line's start).
      .replace(/[\\`*_[\]|~$]/g, '\\$&')
  );
}

/** An identifier in a code span: shown verbatim (a code span renders no markup), fenced past any backticks inside. */
export function mdCode(text: string): string {
  const safe = escapeText(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...safe.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') || safe === '' ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/** A GitHub-flavoured Markdown table; `align` has 'r' for right-aligned (number) columns. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[], align = ''): string {
  const rule = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [head, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Clips text to `max` characters (on the raw text, before escaping), with an ellipsis. */
export function clipText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Never cut a surrogate pair in two.
  const cut = /[\ud800-\udbff]/.test(flat.charAt(max - 2)) ? max - 2 : max - 1;
  return `${flat.slice(0, cut)}…`;
}
