/** RFC 9110: a header name is a token; a field value is HTAB, SP, VCHAR and obs-text. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const isHeaderName = (name: string): boolean => HEADER_NAME.test(name);
export const isHeaderValue = (value: unknown): boolean => typeof value === 'string' && HEADER_VALUE.test(value);

/** Headers whose values are credentials: redacted in logs, never quoted in an error. Lower-case names. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * A URL with whatever may be credentials (`user:password@` before the host) hidden: a redirect's target may carry
 * them. Everything from `//` to the last `@` before any query or fragment goes, even when the URL is malformed.
 */
export const hideUserinfo = (url: string): string => url.replace(/\/\/[^?#]*@/, '//[redacted]@');

/**
 * A header's value as errors and logs may show it: credentials replaced, including those a redirect's `location`
 * carries in its URL.
 */
export function shownHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (SECRET_HEADERS.has(lower)) return '[redacted]';
  return lower === 'location' ? hideUserinfo(value) : value;
}
