import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^aymara-ai\/testing\/msw$/, replacement: src('testing/msw.ts') },
      { find: /^aymara-ai\/testing$/, replacement: src('testing/index.ts') },
      { find: /^aymara-ai\/analysis$/, replacement: src('analysis.ts') },
      { find: /^aymara-ai$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['test/servers/**', 'test/browser/**'],
    // Builds dist/ for the CLI tests (which run the built bin) when it is older than the source.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
    },
  },
});
