import { resolve } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const entry = { index: 'src/index.ts', analysis: 'src/analysis.ts', 'testing/index': 'src/testing/index.ts', 'testing/msw': 'src/testing/msw.ts' };
// Members marked @internal (the client's request entry, resources' constructors) are left out of the published
// types: editors never offer them.
const shared = {
  entry,
  target: 'node22',
  platform: 'node',
  sourcemap: true,
  dts: { compilerOptions: { stripInternal: true } },
  splitting: false,
  treeshake: true,
} as const;

/** The edge build takes undici.edge.ts for undici.ts and schema-compiler.edge.ts for schema-compiler.ts: no computed `import()` in a Worker bundle. */
const edgeModules: Plugin = {
  name: 'edge-modules',
  setup(build) {
    build.onResolve({ filter: /\/(undici|schema-compiler)\.js$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.edge.ts')) }));
  },
};

// The Node builds carry their own tree-shaken copies of zod/mini and p-retry:
// - installed, importing `zod/mini` loads every module of zod (its locales and JSON-schema tools included), a large part
//   of a cold start; one file of only what the schemas use loads in a fraction of that;
// - a bundler cannot tree-shake a `require('zod/mini')` and would carry all of zod's CommonJS build into a
//   CommonJS consumer's bundle; p-retry (and its one dependency) ship only as ESM.
// The exported schemas remain zod schemas that zod's own functions take; the .d.ts files refer to the zod package.
const bundled = ['p-retry', 'is-network-error', 'zod'];

export default defineConfig([
  { ...shared, format: 'esm', clean: true, noExternal: bundled },
  // zod's compiler, in a file of its own that the SDK loads only when a schema is used often (schema-compiler.ts); the
  // CommonJS build loads this same file.
  // Minified: it is loaded while a list is being read, so its size is parse time on the way.
  { ...shared, entry: { 'zod-compiler': 'src/core/zod-compiler.ts' }, format: 'esm', dts: false, noExternal: bundled, minify: true },
  // esbuild writes the CommonJS build itself (and tree-shakes it, as it bundles). With tsup's `treeshake`, rollup
  // would convert esbuild's ESM output to CommonJS instead, with no way to give it `output.exports`, and warn that
  // the entry has named and default exports together: `require('aymara-ai')` has both `.AymaraAI` and `.default`
  // either way, and the functions kept are the same.
  { ...shared, format: 'cjs', noExternal: bundled, treeshake: false },
  // Export conditions workerd, edge-light and browser: the same code built for a neutral platform (ES2022, no node:
  // modules), without the run-time import of undici (only ever used for a dispatcher or a proxy, absent there).
  {
    entry: { 'edge/index': 'src/index.ts' },
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    sourcemap: true,
    dts: false,
    treeshake: true,
    esbuildPlugins: [edgeModules],
  },
  // The bin uses the SDK through its public face: `aymara-ai` resolves to the package itself at run time.
  {
    entry: { cli: 'src/cli/index.ts' },
    format: 'esm',
    target: 'node22',
    platform: 'node',
    external: ['aymara-ai', 'aymara-ai/analysis', 'aymara-ai/testing'],
    sourcemap: true,
    dts: false,
  },
]);
