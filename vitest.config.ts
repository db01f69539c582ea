import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// type-graphql reads field types from decorator metadata, which esbuild does not emit: SWC does.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // graphql ships CJS and ESM builds; type-graphql loads the CJS one, so everything must, or
  // graphql's instanceof checks see two copies.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
