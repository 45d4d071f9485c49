// `npm start` without a usable Electron: one plain line saying why, then the browser dashboard.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort } from '../addon/support/net'

const ROOT = resolve(__dirname, '../..')

interface ElectronBinary {
  findElectronBinary(env?: NodeJS.ProcessEnv): { path: string } | { reason: string }
  displayProblem(env?: NodeJS.ProcessEnv, platform?: string): string | null
}
const { findElectronBinary, displayProblem } = createRequire(__filename)(join(ROOT, 'bin', 'electron-binary.cjs')) as ElectronBinary

describe('electron-binary', () => {
  it('finds a binary through ELECTRON_OVERRIDE_DIST_PATH and explains a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iocpm-electron-'))
    try {
      const found = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dir })
      expect('reason' in found && found.reason).toMatch(/ELECTRON_OVERRIDE_DIST_PATH has no binary/)
      writeFileSync(join(dir, 'electron'), '')
      const binary = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dir })
      // path.txt may name the binary differently on other platforms; on Linux it is "electron".
      if (process.platform === 'linux') expect(binary).toEqual({ path: join(dir, 'electron') })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('needs a display on Linux only', () => {
    expect(displayProblem({}, 'linux')).toMatch(/no display/)
    expect(displayProblem({ DISPLAY: ':0' }, 'linux')).toBeNull()
    expect(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull()
    expect(displayProblem({}, 'win32')).toBeNull()
  })
})

describe('bin/start.cjs without Electron', () => {
  it('says why in one line and serves the dashboard instead', async () => {
    const port = await freePort()
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' }
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'start.cjs'), '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    const deadline = Date.now() + 15_000
    while (!/^dashboard /m.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20))
    expect(out).toMatch(new RegExp(`^dashboard http://127\\.0\\.0\\.1:${port}/\\?token=[0-9a-f]{32}\\n$`))
    expect(err.split('\n')[0]).toMatch(/^Electron binary not available here \(.*\); serving the dashboard in your browser instead$/)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })
})
