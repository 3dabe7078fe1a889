import { defineConfig } from 'tsup';

const entry = { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'testing/msw': 'src/testing/msw.ts' };
const shared = { entry, target: 'node22', platform: 'node', sourcemap: true, dts: true, splitting: false, treeshake: true } as const;

export default defineConfig([
  { ...shared, format: 'esm', clean: true },
  // p-retry (and its one dependency) ship only as ESM, so the CommonJS build carries its own copy.
  { ...shared, format: 'cjs', noExternal: ['p-retry', 'is-network-error'] },
  // The bin uses the SDK through its public face: `aymara-ai` resolves to the package itself at run time.
  { entry: { cli: 'src/cli/index.ts' }, format: 'esm', target: 'node22', platform: 'node', external: ['aymara-ai'], sourcemap: true, dts: false },
]);
