// The edge build's stand-in for schema-compiler.ts (export conditions workerd, edge-light, browser): edge runtimes
// refuse `eval`, which zod's compiler needs, and some of their bundlers refuse any computed `import()`.
import type * as z from 'zod/mini';

export function loadSchemaCompiler(): Promise<boolean> {
  return Promise.resolve(false);
}

export function schemaFor<S extends z.core.$ZodType>(schema: S): S {
  return schema;
}
