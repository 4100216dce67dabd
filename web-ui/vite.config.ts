import { defineConfig } from 'vitest/config';

// The build goes where Maven's jar picks it up: META-INF/resources is a Spring Boot static location.
export default defineConfig({
  base: './',
  build: {
    outDir: 'target/classes/META-INF/resources',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev` against a control API on 8080
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.ts'],
  },
});
