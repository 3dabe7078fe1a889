// Checks what the caller gives before anything is sent, and parses what the server answers, with zod's public API.
import * as z from 'zod/mini';
import { closestName, normalizeName } from '../internal/closest-name.js';
import { AymaraInputError, AymaraResponseValidationError, type ValidationIssue } from './errors.js';
import { schemaFor } from './schema-compiler.js';

/** Any zod schema (classic or mini). */
type Schema = z.core.$ZodType;

/** A schema of query parameters: a strict object, whose `shape` names the parameters it knows. */
export type ParamsSchema = Schema & { readonly shape: Readonly<Record<string, unknown>> };

/** How many problems a validation error keeps: enough to act on, never one per item of a huge body. */
const MAX_ISSUES = 5;

/** Request options, which go in the argument after the parameters; one given as a parameter gets a pointer there. */
const REQUEST_OPTIONS = ['signal', 'timeout', 'maxRetries', 'headers', 'query', 'pageConcurrency'];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['items', 3, 'prompt_uuid']` -> `$.items[3].prompt_uuid`; a key that is not an identifier is quoted: `$["a b"]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** A value as an error message quotes it: a string in quotes (so `'4'` does not read as the number 4), clipped. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}

/** A JSON value's kind, as a validation message names it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/** A path parameter: a non-empty string other than `.` and `..`, which would change the path once encoded. */
export function checkPathParam(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new AymaraInputError(`\`${name}\` must be a string, got ${describe(value)}`);
  if (value.length === 0) throw new AymaraInputError(`\`${name}\` must be a non-empty string`);
  if (value === '.' || value === '..') throw new AymaraInputError(`\`${name}\` must not be ${JSON.stringify(value)}`);
  if (!value.isWellFormed()) throw new AymaraInputError(`\`${name}\` must be well-formed Unicode (it has an unpaired surrogate)`);
  return value;
}

/**
 * Checks query parameters against their schema. The error names the parameter, its problem and the value; an
 * unknown name gets the close spelling it probably meant, or a pointer to the request options for one of theirs.
 */
export function checkParams<S extends ParamsSchema>(schema: S, params: unknown): z.output<S> {
  if (params === undefined || params === null) params = {};
  const result = z.safeParse(schemaFor(schema), params);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // An unknown name first: a misspelt parameter is the likeliest cause of everything else.
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown) throw new AymaraInputError(unknownParamsMessage(unknown.keys, Object.keys(schema.shape)));
  const issue = issues[0];
  if (!issue || issue.path.length === 0) {
    throw new AymaraInputError(`The parameters must be an object of query parameters, got ${Array.isArray(params) ? 'an array' : describe(params)}`);
  }
  const name = issue.path.map(String).join('.');
  throw new AymaraInputError(`Invalid parameter \`${name}\`: ${issue.message} (got ${describe(getAt(params, issue.path))})`);
}

function unknownParamsMessage(keys: readonly string[], known: readonly string[]): string {
  const hints = keys.map((key) => ({ key, hint: hintFor(key, known) }));
  // The known names, and the way to send others, only when some name got no better hint.
  const tail = hints.some(({ hint }) => hint === undefined) ? `. ${knownList(known)}` : '';
  const first = hints[0];
  if (hints.length === 1 && first) return `Unknown parameter \`${first.key}\`${first.hint ? `: ${first.hint}` : tail}`;
  return `Unknown parameters ${hints.map(({ key, hint }) => `\`${key}\`${hint ? ` (${hint})` : ''}`).join(', ')}${tail}`;
}

function knownList(known: readonly string[]): string {
  return `Known parameters: ${known.map((k) => `\`${k}\``).join(', ')}; send one this SDK does not know yet with the \`query\` request option.`;
}

function hintFor(key: string, known: readonly string[]): string | undefined {
  const option = REQUEST_OPTIONS.find((name) => normalizeName(name) === normalizeName(key));
  if (option) return `\`${option}\` is a request option: pass it in the third argument, as in \`(id, params, { ${option} })\``;
  const suggestion = closestName(key, known);
  return suggestion === undefined ? undefined : `did you mean \`${suggestion}\`?`;
}

/** The value at a path, own properties only (a missing `constructor` is missing, not `Object`). */
function getAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const key of path) cur = cur !== null && typeof cur === 'object' && Object.hasOwn(cur, key) ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  return cur;
}

/**
 * Parses a success body: invalid JSON or a schema mismatch becomes `AymaraResponseValidationError` with the JSON
 * path of the first problem and at most a few problems in all. A UTF-8 byte order mark before the JSON is ignored.
 */
export function parseBody<S extends Schema>(schema: S, body: string, status: number, requestId: string | undefined): z.output<S> {
  const where = `status ${status}${requestId ? `, request id ${requestId}` : ''}`;
  let json: unknown;
  try {
    json = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch (cause) {
    throw new AymaraResponseValidationError(`Response body is not valid JSON (${where})`, { path: '$', status, requestId, cause });
  }
  const result = z.safeParse(schemaFor(schema), json);
  if (result.success) {
    if (mayHoldProtoKey(body)) keepProtoKeys(json, result.data);
    return result.data;
  }
  const issues = result.error.issues;
  const kept = issues.slice(0, MAX_ISSUES).map((issue): ValidationIssue => {
    const { path, issue: inner } = innermost(issue);
    return { path: jsonPath(path), message: issueMessage(inner, getAt(json, path)) };
  });
  const first = kept[0] ?? { path: '$', message: 'invalid' };
  const more = issues.length > 1 ? `; ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'}` : '';
  throw new AymaraResponseValidationError(`Response body does not match the schema at ${first.path}: ${first.message}${more} (${where})`, {
    path: first.path,
    status,
    requestId,
    issues: kept,
    issueCount: issues.length,
    cause: trimmed(result.error),
  });
}

/** Whether a body's text could hold a key `__proto__`, written plainly or with escaped letters (rare: a quick look). */
function mayHoldProtoKey(text: string): boolean {
  return text.includes('proto') || (text.includes('\\u00') && /\\u00(?:5f|6f|7[024])/i.test(text));
}

/**
 * zod leaves a key named `__proto__` out of what it parses. In JSON it is an ordinary key, and unknown fields are
 * kept: it goes back on the parsed copy, wherever it was, as plain data (an own property, never a prototype).
 */
function keepProtoKeys(input: unknown, output: unknown): void {
  if (!input || typeof input !== 'object' || !output || typeof output !== 'object' || input === output) return;
  // Arrays too: their keys are the indices.
  const from = input as Record<string, unknown>;
  const to = output as Record<string, unknown>;
  if (Object.hasOwn(from, '__proto__') && !Object.hasOwn(to, '__proto__'))
    Object.defineProperty(to, '__proto__', { value: from['__proto__'], enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(from)) if (Object.hasOwn(to, key)) keepProtoKeys(from[key], to[key]);
}

/** zod's own error, for those who use its tools, trimmed like the rest (it is ours: fresh from `safeParse`). */
function trimmed(error: z.core.$ZodError): z.core.$ZodError {
  error.issues.splice(MAX_ISSUES);
  return error;
}

/**
 * The issue to report, with its full path. For a union whose value had the right shape for one branch but broke it
 * further in (a file reference `{ "file_uuid": 5 }` in `content`), that branch's own issue, where it is: not "expected
 * string, got object" about a value an object is allowed for.
 */
function innermost(issue: z.core.$ZodIssue): { path: PropertyKey[]; issue: z.core.$ZodIssue } {
  if (issue.code === 'invalid_union') {
    for (const branch of issue.errors) {
      const [first] = branch;
      if (first && branch.every((sub) => sub.path.length > 0)) return innermost({ ...first, path: [...issue.path, ...first.path] });
    }
  }
  return { path: issue.path, issue };
}

/**
 * A short English message for a response issue, given the value found at its path. zod's own messages come from
 * its locales, which the SDK leaves out of bundles.
 */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${kindOf(input)}`;
    case 'invalid_union': {
      const expected = new Set<string>();
      for (const branch of issue.errors) for (const sub of branch) if (sub.code === 'invalid_type' && sub.path.length === 0) expected.add(sub.expected);
      const got = input === undefined ? '' : `, got ${kindOf(input)}`;
      return expected.size ? `expected ${[...expected].join(' or ')}${got}` : `matches none of the allowed shapes${got}`;
    }
    default:
      return issue.message;
  }
}
