import {defineConfig} from 'vitest/config';

export default defineConfig({
  esbuild: {jsx: 'automatic'},
  test: {
    environment: 'node',
    include: ['test/**/*.test.{js,jsx}'],
    setupFiles: ['test/shopify-runtime.js'],
    // React 17 has no package exports, which Node's own ESM loader needs for
    // "react/jsx-runtime"; Vite resolves it when these packages go through it.
    server: {deps: {inline: [/@shopify\//, /@remote-ui\//]}},
  },
});
