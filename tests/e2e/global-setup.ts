// Starts the real dashboard service once for all e2e tests: `node bin/iocp-monitor.cjs ui
// --port <free>` serves out/renderer and the WebSocket bridge, backed by the native engine. Its
// one stdout line "dashboard http://127.0.0.1:P/?token=…" gives the URL; teardown sends SIGTERM.
// IOCPM_CLI may point at another CLI script with the same contract (used while developing);
// IOCPM_CLI_HOST=wine (playwright.wine.config.ts) runs the Windows product under Wine instead.
// The service gets a throw-away XDG_CONFIG_HOME (alert rules, recordings), removed at teardown.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from './net-helpers'

const ROOT = resolve(__dirname, '../..')
const URL_LINE = /^dashboard (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)\s*$/m

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = ''
    let err = ''
    const fail = (why: string) => {
      clearTimeout(timer)
      reject(new Error(`iocp-monitor ui ${why}\nstdout: ${out}\nstderr: ${err}`))
    }
    const timer = setTimeout(() => fail(`printed no dashboard URL within ${timeoutMs} ms`), timeoutMs)
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stdout?.on('data', (d: string) => {
      out += d
      const m = URL_LINE.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1])
      }
    })
    child.stderr?.on('data', (d: string) => (err += d))
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`))
  })
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  // playwright.wine.config.ts: the service is the Windows product under Wine (`npm run wine`).
  const onWine = process.env.IOCPM_CLI_HOST === 'wine'
  const cli = process.env.IOCPM_CLI ? resolve(process.env.IOCPM_CLI) : resolve(ROOT, onWine ? 'bin/wine/iocp-monitor-wine.mjs' : 'bin/iocp-monitor.cjs')
  if (!existsSync(cli)) throw new Error(`${cli} not found`)
  if (!existsSync(resolve(ROOT, 'out/renderer/index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` (renderer and CLI) before the e2e tests')
  }
  const port = await freePort()
  // A config directory of its own: the tests save alert rules and recordings, and must neither
  // read nor change the user's ~/.config/iocp-monitor.
  const configHome = mkdtempSync(join(tmpdir(), 'iocpm-e2e-'))
  process.env.IOCPM_E2E_CONFIG_HOME = configHome
  const child = spawn(process.execPath, [cli, 'ui', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
  })
  // Under Wine a first run may still fetch Windows Node, make the prefix and build the addon.
  const url = await waitForUrl(child, onWine ? 180_000 : 30_000)
  // From here on the service's output goes to a log (it must never block on a full pipe).
  mkdirSync(resolve(ROOT, 'test-results'), { recursive: true })
  const log = createWriteStream(resolve(ROOT, `test-results/iocp-monitor-ui${onWine ? '-wine' : ''}.log`))
  for (const stream of [child.stdout, child.stderr]) {
    stream?.removeAllListeners('data')
    stream?.pipe(log, { end: false })
  }
  child.removeAllListeners('exit')
  process.env.IOCPM_DASHBOARD_URL = url

  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(configHome, { recursive: true, force: true })
  }
}
