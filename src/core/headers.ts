/** RFC 9110: a header name is a token; a field value is HTAB, SP, VCHAR and obs-text. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const isHeaderName = (name: string): boolean => HEADER_NAME.test(name);
export const isHeaderValue = (value: unknown): boolean => typeof value === 'string' && HEADER_VALUE.test(value);

/** Headers whose values are credentials: redacted in logs, never quoted in an error. Lower-case names. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * A header's value with the credentials a redirect's `location` may carry in its URL (`user:password@` before the
 * host) hidden: everything from `//` to the last `@` before any query or fragment goes, even in a malformed URL.
 */
export const withoutUserinfo = (name: string, value: string): string =>
  name.toLowerCase() === 'location' ? value.replace(/\/\/[^?#]*@/, '//[redacted]@') : value;

/** A header's value as logs may show it: credential headers replaced, and a `location`'s userinfo hidden. */
export const shownHeaderValue = (name: string, value: string): string => (SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : withoutUserinfo(name, value));
