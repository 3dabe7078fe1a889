/**
 * Text from the server never reaches a terminal or a CI log raw: an escape sequence in an explanation could
 * rewrite the screen, write to the clipboard (OSC 52) or fake an "ok" line; bidirectional overrides and
 * zero-width characters can make text read differently from what it is. Every such character is shown as a
 * visible escape (`\x1b`, `\u202e`), the way a JavaScript string literal would write it.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-character CSI on some terminals), the Arabic letter mark,
 * zero-width and directional marks, line and paragraph separators, bidi embeddings, overrides and isolates,
 * invisible operators, the BOM, interlinear annotation marks, the XML-illegal non-characters U+FFFE/U+FFFF,
 * and lone surrogates (which no encoder can write faithfully).
 */
// With the `u` flag a well-formed surrogate pair is one code point, so `[\ud800-\udfff]` matches lone halves only.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The server's text for any output but JSON: every unsafe character escaped, line breaks and tabs included, so
 * it stays on the line it was put on and can neither forge a line nor act on the terminal.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * Like `escapeText`, but each unsafe character goes through `show` with its visible escape (and where it is in
 * `text`), so a renderer can set the escape apart from text that merely looks like one (the HTML report marks it
 * up), or keep a character it renders safely itself (a line break in a block of text).
 */
export function escapeTextWith(text: string, show: (char: string, escaped: string, offset: number, text: string) => string): string {
  return text.replace(UNSAFE, (char: string, offset: number) => show(char, visible(char), offset, text));
}

/** JSON escapes C0 controls itself; these are the rest of the unsafe set, escaped as JSON `\u` escapes (lossless). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]/g;

/** Escapes what `JSON.stringify` leaves raw among the unsafe characters; the JSON still parses to the same value. */
export function escapeJSON(json: string): string {
  return json.replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
