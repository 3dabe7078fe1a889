// Responses are parsed by zod's runtime parser, which interprets the schema for every value. zod's own documented
// fast path, `compile()`, turns a schema into a generated parser with the same results and errors: it falls back to
// the runtime parser for invalid input (which then reports the issues), for anything it cannot model, and where
// `eval` is refused. The compiler is larger than the rest of the SDK, so it is loaded only once a schema is used
// again and again (the pages of a list): a one-call script never pays for it, and a bundle of the SDK does not carry
// it (there, schemas stay on the runtime parser).
import type * as z from 'zod/mini';

type Compile = <S extends z.core.$ZodType>(schema: S) => S;

/** Not a string literal on purpose: bundlers leave `import(specifier)` alone (see undici.ts). */
const COMPILER = './zod-compiler.js';

/** Uses of a schema before it is compiled: loading the compiler and compiling cost about as much as parsing a few pages. */
const COMPILE_AT = 3;

let loading: Promise<boolean> | undefined;
let compile: Compile | undefined;

/**
 * Loads the compiler, once; resolves to whether it is there. It is not where the package's files are not (a bundle),
 * nor under a test runner that refuses `import()`: schemas then stay on the runtime parser.
 */
export function loadSchemaCompiler(): Promise<boolean> {
  return (loading ??= import(/* webpackIgnore: true */ /* @vite-ignore */ COMPILER).then(
    (module: { compile?: unknown; AYMARA_ZOD_COMPILER?: unknown }) => {
      if (module.AYMARA_ZOD_COMPILER !== 1 || typeof module.compile !== 'function') return false;
      compile = module.compile as Compile;
      return true;
    },
    () => false,
  ));
}

/** Per schema: how many times it was used, or its compiled form. */
const state = new WeakMap<object, number | z.core.$ZodType>();

/**
 * The schema to parse with: its compiled form once it has been used often enough and the compiler is loaded, else
 * the schema itself. Compiling never throws: a schema zod cannot compile comes back as it was.
 */
export function schemaFor<S extends z.core.$ZodType>(schema: S): S {
  const known = state.get(schema);
  if (typeof known === 'object') return known as S;
  const uses = (known ?? 0) + 1;
  if (uses >= COMPILE_AT && compile) {
    const compiled = compile(schema);
    state.set(schema, compiled);
    return compiled;
  }
  state.set(schema, uses);
  if (uses >= COMPILE_AT - 1) void loadSchemaCompiler();
  return schema;
}
