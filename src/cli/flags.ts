/**
 * The flags some commands take beyond the common ones, each defined once: a command lists the ones it takes,
 * and any other is a usage error for it. A new flag is a row here and an entry in its commands' lists.
 */
import { parseReportFlag } from './report-flag.js';
import { parseAlpha, parsePort, parseRate } from './values.js';

type FlagSpec =
  | { readonly name: string; readonly type: 'string'; readonly multiple?: false; read(value: string | undefined): unknown }
  | { readonly name: string; readonly type: 'string'; readonly multiple: true; read(value: readonly string[]): unknown }
  | { readonly name: string; readonly type: 'boolean'; readonly multiple?: false; read(value: boolean | undefined): unknown };

export const FLAGS = {
  failUnder: { name: 'fail-under', type: 'string', read: (v: string | undefined) => (v === undefined ? undefined : parseRate(v)) },
  failOnRegression: { name: 'fail-on-regression', type: 'boolean', read: (v: boolean | undefined) => v ?? false },
  maxDrop: { name: 'max-drop', type: 'string', read: (v: string | undefined) => (v === undefined ? undefined : parseRate(v, '--max-drop')) },
  alpha: { name: 'alpha', type: 'string', read: (v: string | undefined) => (v === undefined ? undefined : parseAlpha(v)) },
  baselineName: { name: 'baseline-name', type: 'string', read: (v: string | undefined) => v },
  requireBaseline: { name: 'require-baseline', type: 'boolean', read: (v: boolean | undefined) => v ?? false },
  report: { name: 'report', type: 'string', multiple: true, read: (v: readonly string[]) => v.map(parseReportFlag) },
  prComment: { name: 'pr-comment', type: 'boolean', read: (v: boolean | undefined) => v ?? false },
  port: { name: 'port', type: 'string', read: (v: string | undefined) => (v === undefined ? undefined : parsePort(v)) },
  fixtures: { name: 'fixtures', type: 'string', read: (v: string | undefined) => v },
} as const satisfies Record<string, FlagSpec>;

export type Flag = (typeof FLAGS)[keyof typeof FLAGS];

/** The parsed values of these flags, by name; one not given has its default. */
export type FlagArgs = { -readonly [K in keyof typeof FLAGS]: ReturnType<(typeof FLAGS)[K]['read']> };

/** Every flag's value, read from what node's parser found (undefined where it was not given). */
export function readFlags(values: Readonly<Record<string, unknown>>): FlagArgs {
  const read = (flag: FlagSpec): unknown => {
    const value = values[flag.name];
    if (flag.type === 'boolean') return flag.read(typeof value === 'boolean' ? value : undefined);
    if (flag.multiple === true) return flag.read(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
    return flag.read(typeof value === 'string' ? value : undefined);
  };
  // Each key maps to its own flag's `read`, whose result FlagArgs names: the entries have those types.
  return Object.fromEntries(Object.entries(FLAGS).map(([key, flag]) => [key, read(flag)])) as FlagArgs;
}
