// Unit, addon and renderer component tests. Node environment by default; component tests opt in
// to a DOM with a `// @vitest-environment happy-dom` comment. Addon tests bind real sockets on
// 127.0.0.1 (each picks its own free port), so files may run in parallel.
// (Vite 8 warns that this ESM-syntax file sits in a CommonJS package; harmless with the default
// config loader, which bundles it.)
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Renderer component tests import .vue files.
  plugins: [vue()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/addon/**/*.test.ts', 'tests/electron/**/*.test.ts', 'src-renderer/**/*.test.ts'],
    environment: 'node',
    // Compiles dist-cli/ once for the tests that spawn bin/iocp-monitor.cjs and bin/start.cjs.
    globalSetup: ['tests/unit/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
