import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import baseConfig from './vitest.config.js';

// `npm run test:msw2`: the testing kit and the ecosystem tests that use msw, run again on msw 2 (installed as the
// `msw2` alias), since the kit's peer range covers both majors. Everything that imports `msw` or `msw/node` gets
// msw 2's instead. mergeConfig concatenates arrays, so the base include is dropped here rather than merged.
const { include: _include, ...baseTest } = baseConfig.test ?? {};
const msw2 = fileURLToPath(new URL('./node_modules/msw2', import.meta.url));

export default mergeConfig(
  { ...baseConfig, test: baseTest },
  defineConfig({
    resolve: { alias: [{ find: /^msw(\/.*)?$/, replacement: `${msw2}$1` }] },
    test: {
      env: { MSW_MAJOR: '2' },
      include: [
        'test/testing-kit.test.ts',
        'test/ecosystem/msw-*.test.ts',
        'test/core/*.test.ts',
        'test/wire.test.ts',
        'test/parsing.test.ts',
        'test/errors.test.ts',
        'examples/testing-with-the-mock.test.ts',
      ],
    },
  }),
);
