// The CLI tests again, with the command running on Windows: IOCPM_CLI_HOST=wine makes
// tests/unit/support/cli-process.ts start it on the official Windows Node under Wine with the
// Windows build of the addon (bin/wine/iocp-monitor-wine.mjs, what `npm run wine` runs). Clients,
// load generators and servers on the other side of each test stay on Linux, so every socket
// crosses between a Linux process and the Windows product.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/unit/cli.test.ts', 'tests/unit/cli-load.test.ts', 'tests/unit/cli-ops.test.ts', 'tests/unit/cli-sessions.test.ts', 'tests/unit/cli-attach.test.ts'],
    environment: 'node',
    env: { IOCPM_CLI_HOST: 'wine' },
    globalSetup: ['tests/wine/global-setup.ts'],
    // A Windows Node start under Wine costs ~1 s more than a Linux one.
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
})
