import type { z } from 'zod';
import { AymaraInputError, AymaraResponseValidationError } from './errors.js';
import { fastParser } from './fast-parse.js';

/** `['items', 3, 'prompt_uuid']` -> `$.items[3].prompt_uuid` */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
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

/** Checks query parameters against their schema; the error names the parameter, its problem and the value. */
export function checkParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  if (params === undefined || params === null) params = {};
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.map(String).join('.') || 'params';
  const got = issue?.path.length ? getAt(params, issue.path) : params;
  if (issue?.code === 'unrecognized_keys') throw new AymaraInputError(`Unknown parameter ${issue.keys.map((k) => `\`${k}\``).join(', ')}`);
  throw new AymaraInputError(`Invalid parameter \`${name}\`: ${issue?.message ?? 'invalid'} (got ${describe(got)})`);
}

function getAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  return cur;
}

/** Parses a success body: invalid JSON or a schema mismatch becomes `AymaraResponseValidationError` with the path. */
export function parseBody<S extends z.ZodType>(schema: S, body: string, status: number, requestId: string | undefined): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new AymaraResponseValidationError(`Response body is not valid JSON (status ${status}${requestId ? `, request id ${requestId}` : ''})`, {
      path: '$',
      status,
      requestId,
      cause,
    });
  }
  // The body is ours (fresh from JSON.parse), so a schema the fast path understands checks it in place.
  const fast = fastParser(schema)?.(json);
  if (fast?.ok) return fast.value as z.output<S>;
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = jsonPath(issue?.path ?? []);
  throw new AymaraResponseValidationError(
    `Response body does not match the schema at ${path}: ${issue?.message ?? 'invalid'} (status ${status}${requestId ? `, request id ${requestId}` : ''})`,
    { path, status, requestId, cause: result.error },
  );
}
