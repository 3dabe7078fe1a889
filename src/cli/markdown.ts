/**
 * Markdown for reports that GitHub (a job summary, a pull request comment) or GitLab render. The server's text
 * goes in as text: it cannot add markup, HTML, a table cell or a line of its own.
 */
import { escapeText } from './escape.js';

/**
 * What GitHub acts on in a comment or a job summary, whatever the markup around it: an `@mention` (notifies a user
 * or a team; an e-mail address is taken whole), an issue or pull-request reference (`#12`, `owner/repo#12`,
 * `GH-12`) and an autolinked URL (a link to an issue cross-references it). A backslash does not stop any of them;
 * a code span does, and unlike a zero-width space it leaves no invisible character in a log or a pasted name.
 */
const GITHUB_ACTIVE = /[\w.+-]*@[a-z0-9][\w.-]*(?:\/[\w.-]+)?|(?:[\w.-]+\/[\w.-]+)?#\d+|\bgh-\d+|\b(?:https?|ftp):\/\/[^\s<>()]+|\bwww\.[^\s<>()]+/gi;

/** Text as plain Markdown: markup and HTML characters neutralised (the text has been through escapeText). */
function mdPlain(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Only what is markup inside a line (reports put server text mid-line, never at a line's start).
      .replace(/[\\`*_[\]|~$]/g, '\\$&')
  );
}

/**
 * Server text as plain Markdown text: control characters escaped, markup and HTML characters neutralised, and
 * mentions, issue references and links put in code spans, so the text can neither notify anyone nor link an issue.
 */
export function mdText(text: string): string {
  const safe = escapeText(text);
  let out = '';
  let last = 0;
  for (const match of safe.matchAll(GITHUB_ACTIVE)) {
    out += mdPlain(safe.slice(last, match.index)) + mdCode(match[0]);
    last = match.index + match[0].length;
  }
  return out + mdPlain(safe.slice(last));
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
