// Launches the built Electron app in smoke-test mode (IOCP_MONITOR_SMOKE_TEST=1: the main process
// loads the window, checks that window.api answers, then quits with 0) — where an Electron binary
// can run. Elsewhere the test is reported as skipped with the reason, never as passed.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../..')

interface ElectronBinary {
  findElectronBinary(): { path: string } | { reason: string }
  displayProblem(): string | null
}
// The same lookup `npm start` uses; it reads electron's path.txt instead of require('electron'),
// which would try to download the binary.
const { findElectronBinary, displayProblem } = createRequire(__filename)(join(ROOT, 'bin', 'electron-binary.cjs')) as ElectronBinary

/** The binary's path, or why the launch test cannot run here. */
function runnableElectron(): { path: string } | { reason: string } {
  const found = findElectronBinary()
  if ('reason' in found) return { reason: `Electron binary not available (${found.reason})` }
  const display = displayProblem()
  if (display) return { reason: display }
  const version = spawnSync(found.path, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } })
  if (version.status !== 0) return { reason: `${found.path} --version failed: ${version.error?.message ?? version.stderr.trim()}` }
  return found
}

const electron = runnableElectron()
const skipReason = 'reason' in electron ? electron.reason : null
if (skipReason) console.log(`electron launch test skipped: ${skipReason}`)

describe('Electron app', () => {
  it.skipIf(skipReason !== null)('launches, exposes window.api through the preload and quits cleanly', () => {
    if (!('path' in electron)) return
    if (!existsSync(join(ROOT, 'out', 'main', 'index.js')) || !existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' })
    }
    const env: NodeJS.ProcessEnv = { ...process.env, IOCP_MONITOR_SMOKE_TEST: '1' }
    delete env.ELECTRON_RUN_AS_NODE
    // Chromium refuses to run as root with its sandbox; the renderer sandbox flag stays on.
    const args = process.getuid?.() === 0 ? [ROOT, '--no-sandbox'] : [ROOT]
    const r = spawnSync(electron.path, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
    expect(r.stdout).toMatch(/smoke: window\.api\.status is function; state stopped/)
    expect(r.status).toBe(0)
  }, 90_000)
})
