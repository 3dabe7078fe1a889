/**
 * The server's text in the HTML report: escaped for where it lands, so that nothing it holds can become markup,
 * leave an attribute, run, or read differently from what it is.
 *
 * Two steps, in this order. The characters special to HTML (`& < > " '`) become entities, which suffices for text
 * and for double- or single-quoted attribute values alike (the report writes no unquoted attribute and puts no
 * server text in a URL, a style or a tag name). Then the characters the CLI never shows raw anywhere (controls,
 * NUL, bidirectional overrides and isolates, zero-width characters, lone surrogates) become visible escapes such as
 * `\u202e`: a U+202E in a prompt would otherwise reverse what a reviewer reads, so it is shown, not obeyed.
 */
import { escapeTextWith } from '../escape.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/g;

/** Markup-special characters as entities: for strings the report itself wrote (already free of controls). */
export function escapeHTML(text: string): string {
  return text.replace(SPECIAL, (char) => ENTITIES[char] ?? char);
}

/**
 * A zero-width joiner between two pictographs builds one emoji (a family, a profession): it is kept, since it can
 * only change how emoji look, never make letters read as other letters. Everywhere else it is shown.
 */
function joinsEmoji(char: string, offset: number, text: string): boolean {
  return char === '\u200d' && EMOJI_BEFORE.test(text.slice(Math.max(0, offset - 4), offset)) && EMOJI_AFTER.test(text.slice(offset + 1, offset + 3));
}
const EMOJI_BEFORE = /\p{Extended_Pictographic}(?:[\u{1F3FB}-\u{1F3FF}]|\uFE0F)?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** A visible escape, marked so it cannot pass for text that merely looks like one (the CSS sets it apart). */
const marked = (char: string, escaped: string, offset: number, text: string) => (joinsEmoji(char, offset, text) ? char : `<span class="esc">${escaped}</span>`);

/**
 * Server text inside an attribute value or a `<title>`: every unsafe character as a visible escape, line breaks
 * included, with no markup (none is allowed or rendered there).
 */
export function plain(text: string): string {
  return escapeTextWith(escapeHTML(text), (char, escaped, offset, whole) => (joinsEmoji(char, offset, whole) ? char : escaped));
}

/** Server text in an SVG `<text>`: as `plain()`, with each escape in a `<tspan>` the CSS sets apart. */
export function svgText(text: string): string {
  return escapeTextWith(escapeHTML(text), (char, escaped, offset, whole) => (joinsEmoji(char, offset, whole) ? char : `<tspan class="esc">${escaped}</tspan>`));
}

/** Characters of one line of server text the page shows, unless told otherwise; no name or reason needs more. */
export const INLINE_LIMIT = 2000;

/**
 * Server text on one line of the page (a name, a category, a gate's reason): escapes visible and marked, and at
 * most `max` characters, saying how many more there were, so no single string can swell the file.
 */
export function inline(text: string, max = INLINE_LIMIT): string {
  const { text: shown, rest } = clip(text, max);
  const escaped = escapeTextWith(escapeHTML(shown), marked);
  return rest > 0 ? `${escaped}<span class="clipped">… (${rest} more characters)</span>` : escaped;
}

/**
 * Server text as a block (a prompt, an answer, an explanation): line breaks and tabs kept (the CSS shows them with
 * `white-space: pre-wrap`), CRLF read as one break, every other unsafe character a marked visible escape.
 */
export function block(text: string): string {
  return escapeTextWith(escapeHTML(text.replace(/\r\n/g, '\n')), (char, escaped, offset, whole) =>
    char === '\n' || char === '\t' ? char : marked(char, escaped, offset, whole),
  );
}

/**
 * At most `max` UTF-16 units of `text`, never ending inside a surrogate pair; `rest` is how many were left out.
 * The report keeps its size bounded this way, whatever the server sends; json keeps the whole text.
 */
export function clip(text: string, max: number): { text: string; rest: number } {
  if (text.length <= max) return { text, rest: 0 };
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return { text: text.slice(0, end), rest: text.length - end };
}
