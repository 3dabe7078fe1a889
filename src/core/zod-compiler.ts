// Its own file in the package (dist/zod-compiler.js), loaded by schema-compiler.ts only once a schema has been used a
// few times: zod's compiler is larger than the rest of the SDK, and a bundle of the SDK must stay small. It carries
// its own copy of the parts of zod it needs; it reads the schemas it is given as zod describes them to any caller.
export { compile } from 'zod/mini';

/** Tells this module from any other file that happens to answer the same path (next to a user's bundle, say). */
export const AYMARA_ZOD_COMPILER = 1;
