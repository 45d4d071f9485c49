// The same dashboard e2e tests with the service running on Windows: globalSetup starts
// `iocp-monitor ui` through the wine runner (bin/wine/iocp-monitor-wine.mjs, what `npm run wine`
// runs), so the page in Linux Chromium drives the compiled service on the official Windows Node
// and the Windows addon's real completion ports. Screenshots go to tests/e2e/screenshots/wine/.
import { defineConfig } from '@playwright/test'
import base from './playwright.config'

process.env.IOCPM_CLI_HOST = 'wine'

export default defineConfig({
  ...base,
  // The end-to-end flows; the frame-time and heap measurements stay with the Linux run (Wine
  // proves behaviour, not speed).
  testMatch: ['dashboard.spec.ts', 'attach.spec.ts', 'learn.spec.ts'],
  outputDir: 'test-results/wine',
  timeout: 180_000,
})
