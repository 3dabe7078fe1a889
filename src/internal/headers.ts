/** Header records with lower-case names, the one form headers travel in (HTTP names are case-insensitive). */
export function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Any header collection as a plain record of lower-case names: a WHATWG `Headers` (already lower-case, repeated
 * values joined by fetch) or Node's `IncomingHttpHeaders` (a repeated header as an array, joined here).
 */
export function headerRecord(headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  // Not `instanceof Headers`: npm undici's fetch (a dispatcher, a proxy, a MockAgent) answers with its own class.
  // A record's values are strings or arrays, never a function.
  if (typeof headers.forEach === 'function') {
    headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}
