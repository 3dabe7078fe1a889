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
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]/gu;
const UNSAFE_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]|\r(?!\n)/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For one line of output (a table cell, an error message, an annotation): every control character escaped, line breaks included. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * For multi-line text (a CSV cell, a JUnit failure body): line feeds, CRLF line breaks and tabs stay as they
 * are, since they are the data's own layout; a lone carriage return (it would let text overwrite a line on a
 * terminal) and every other control character are escaped.
 */
export function escapeMultiline(text: string): string {
  // The `\r(?!\n)` alternative means `\r` here is always a lone one, so `visible` turns it into `\\r`.
  return text.replace(UNSAFE_EXCEPT_LINES, visible);
}

/** JSON escapes C0 controls itself; these are the rest of the unsafe set, escaped as JSON `\u` escapes (lossless). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]/g;

/** Escapes what `JSON.stringify` leaves raw among the unsafe characters; the JSON still parses to the same value. */
export function escapeJSON(json: string): string {
  return json.replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
