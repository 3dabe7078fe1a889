import { defineConfig, mergeConfig } from 'vitest/config';
import baseConfig from './vitest.config.js';

// `npm run test:browser`: the HTML report in Debian's Chromium (test/browser/), driven by puppeteer-core. Same
// resolve aliases as vitest.config.ts; its include/exclude (which leave test/browser out) are dropped, not merged.
const { include: _include, exclude: _exclude, ...baseTest } = baseConfig.test ?? {};

export default mergeConfig(
  { ...baseConfig, test: baseTest },
  defineConfig({
    test: {
      include: ['test/browser/**/*.test.ts'],
      // Starting a browser and rendering a 10,000-response report: seconds, not minutes.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
);
