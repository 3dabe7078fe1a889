import type { z } from 'zod';

/**
 * A fast path for parsing response bodies with their zod schemas.
 *
 * zod builds a new copy of every object it parses; for a page of 100 responses that copy is most of the
 * SDK's own cost per request (SPEC 8). A body straight from `JSON.parse` belongs to us, so it can instead be
 * checked in place: the same schema, compiled once into plain type checks that fill defaults into the
 * object itself and keep unknown keys by never touching them. Only shapes whose meaning is certain are
 * compiled (loose objects, arrays, strings, booleans, numbers and safe integers, null, optional, nullable,
 * default, unions with at most one object option); for any other schema there is no fast path. When a body
 * fails the fast check, zod parses it anyway: zod is always the judge of a bad body and of its error path.
 *
 * The checks are generated as code, one small function per schema node with every property read by its
 * literal name, so V8 sees monomorphic loads (zod's own JIT does the same). Where code generation is not
 * allowed (some edge runtimes), there is no fast path and zod does the work.
 */

const FAIL: unique symbol = Symbol('fail');
type Check = (value: unknown) => unknown;

interface Def {
  type: string;
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  defaultValue?: unknown;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const PRIMITIVES = new Set(['string', 'number', 'boolean', 'null']);
const NOT_PLAIN_OBJECT = 'typeof v!=="object"||v===null||Array.isArray(v)';

/** Generated source: named functions `fN(v)` returning `v` (defaults filled in) or `F`; `D` holds default getters. */
class Generator {
  readonly functions: string[] = [];
  readonly defaults: (() => unknown)[] = [];

  #emit(body: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push(`function ${name}(v){${body}}`);
    return name;
  }

  /** The name of the function that checks `schema`, or undefined when the schema is not one it compiles. */
  node(schema: z.ZodType): string | undefined {
    const def = defOf(schema);
    const checks = def.checks ?? [];
    switch (def.type) {
      case 'string':
      case 'boolean':
        return checks.length === 0 ? this.#emit(`return typeof v==="${def.type}"?v:F;`) : undefined;
      case 'null':
        return this.#emit('return v===null?v:F;');
      case 'unknown':
        return this.#emit('return v;');
      case 'number': {
        if (checks.length === 0) return this.#emit('return typeof v==="number"&&Number.isFinite(v)?v:F;');
        const safeInt = checks.length === 1 && checks[0]?._zod.def.check === 'number_format' && checks[0]._zod.def.format === 'safeint';
        return safeInt ? this.#emit('return Number.isSafeInteger(v)?v:F;') : undefined;
      }
      case 'optional':
      case 'nullable':
      case 'default': {
        const inner = def.innerType && this.node(def.innerType);
        if (!inner) return undefined;
        if (def.type === 'optional') return this.#emit(`return v===undefined?v:${inner}(v);`);
        if (def.type === 'nullable') return this.#emit(`return v===null?v:${inner}(v);`);
        // zod hands out a fresh default each time (a getter) and does not parse it.
        this.defaults.push(() => def.defaultValue);
        return this.#emit(`return v===undefined?D[${this.defaults.length - 1}]():${inner}(v);`);
      }
      case 'array': {
        const element = checks.length === 0 && def.element && this.node(def.element);
        if (!element) return undefined;
        return this.#emit(`if(!Array.isArray(v))return F;for(var i=0;i<v.length;i++){var x=v[i],r=${element}(x);if(r===F)return F;if(r!==x)v[i]=r;}return v;`);
      }
      case 'object': {
        // Only loose objects: a strict or stripping object would have to reject or delete keys.
        if (!def.shape || !def.catchall || defOf(def.catchall).type !== 'unknown') return undefined;
        let body = `if(${NOT_PLAIN_OBJECT})return F;var x,r;`;
        for (const [key, field] of Object.entries(def.shape)) {
          const check = this.node(field);
          if (!check) return undefined;
          const at = `v[${JSON.stringify(key)}]`;
          body += `x=${at};r=${check}(x);if(r===F)return F;if(r!==x)${at}=r;`;
        }
        return this.#emit(`${body}return v;`);
      }
      case 'record': {
        const key = def.keyType && defOf(def.keyType);
        const ok = key?.type === 'string' && !key.checks?.length && def.valueType && defOf(def.valueType).type === 'unknown';
        return ok ? this.#emit(`return ${NOT_PLAIN_OBJECT}?F:v;`) : undefined;
      }
      case 'union': {
        const options = def.options ?? [];
        // A failed object option may have filled defaults before failing; with one such option nothing sees them.
        if (options.filter((o) => !PRIMITIVES.has(defOf(o).type)).length > 1) return undefined;
        let body = 'var r;';
        for (const option of options) {
          const check = this.node(option);
          if (!check) return undefined;
          body += `r=${check}(v);if(r!==F)return r;`;
        }
        return this.#emit(`${body}return F;`);
      }
      default:
        return undefined;
    }
  }
}

function compile(schema: z.ZodType): Check | undefined {
  const generator = new Generator();
  const root = generator.node(schema);
  if (!root) return undefined;
  try {
    return new Function('F', 'D', `"use strict";${generator.functions.join('\n')}\nreturn ${root};`)(FAIL, generator.defaults) as Check;
  } catch {
    return undefined; // code generation not allowed here (CSP, some edge runtimes)
  }
}

type FastParser = (value: unknown) => { ok: true; value: unknown } | { ok: false };
const cache = new WeakMap<z.ZodType, FastParser | null>();

/**
 * The in-place parser for a schema, or null when the schema has a shape it does not compile.
 * It may fill defaults into `value` even when it fails, which leaves the value just as valid for zod.
 */
export function fastParser(schema: z.ZodType): FastParser | null {
  let parser = cache.get(schema);
  if (parser === undefined) {
    const check = compile(schema);
    parser = check
      ? (value) => {
          const out = check(value);
          return out === FAIL ? { ok: false } : { ok: true, value: out };
        }
      : null;
    cache.set(schema, parser);
  }
  return parser;
}
