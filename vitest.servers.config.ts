import { defineConfig, mergeConfig } from 'vitest/config';
import baseConfig from './vitest.config.js';

// `npm run test:servers`: the SDK against real nginx and tinyproxy from Debian (test/servers/), private instances
// on loopback. Same resolve aliases as vitest.config.ts. mergeConfig concatenates arrays, so the base config's
// include/exclude (which leave test/servers out) are dropped here rather than merged.
const { include: _include, exclude: _exclude, ...baseTest } = baseConfig.test ?? {};

export default mergeConfig(
  { ...baseConfig, test: baseTest },
  defineConfig({
    test: {
      include: ['test/servers/**/*.test.ts'],
      // Real processes, nginx's 1 s upstream timeouts and the SDK's backoff: generous, still well under a minute.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
);
