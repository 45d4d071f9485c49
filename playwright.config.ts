// End-to-end tests of the dashboard in a real browser against the real service: globalSetup
// starts `iocp-monitor ui` (HTTP + WebSocket bridge + native engine) and the tests drive the page
// and generate TCP traffic themselves. Debian's Chromium is used; nothing is downloaded.
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  // One service process, one engine: the tests share them and run one after another.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    locale: 'en-US',
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Root in a closed network: no sandbox, and nothing that phones home (without the
      // background-networking flags Chromium floods refused connections).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
