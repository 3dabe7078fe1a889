/**
 * The CommonJS build as `require('aymara-ai')` sees it: the client as a named export and as the default, like the
 * ESM build, whichever tool wrote the CommonJS.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuiltBeforeAll, ROOT } from './cli-harness.js';

ensureBuiltBeforeAll();

describe("require('aymara-ai')", () => {
  it('has AymaraAI both named and as the default, and the ESM build has the same names', async () => {
    const required = createRequire(import.meta.url)(join(ROOT, 'dist', 'index.cjs')) as Record<string, unknown>;
    expect(typeof required.AymaraAI).toBe('function');
    expect(required.default).toBe(required.AymaraAI);
    const imported = (await import(join(ROOT, 'dist', 'index.js'))) as Record<string, unknown>;
    expect(Object.keys(required).sort()).toEqual(Object.keys(imported).sort());
  });
});
