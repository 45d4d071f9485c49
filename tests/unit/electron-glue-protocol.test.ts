// The app:// handler (src-main/electron/app-protocol.ts serveRenderer) serves only the files of the
// renderer folder, with the security headers, whatever the request path tries.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from '../../src-main/security/csp'
import { createElectronStandin, type ElectronStandin } from './support/electron-standin'
import { withStandin } from './support/electron-glue'
import { tempDir } from './support/temp-dir'

const SECRET = 'outside the renderer folder'
const tmp = tempDir('iocpm-app-protocol-')
let electron: ElectronStandin

beforeAll(async () => {
  // tmp/renderer is what the app serves; tmp/secret.txt and tmp/outside/ must stay out of reach.
  mkdirSync(tmp('renderer', 'assets'), { recursive: true })
  mkdirSync(tmp('outside'))
  writeFileSync(tmp('renderer', 'index.html'), '<!doctype html><title>IOCP Monitor</title>')
  writeFileSync(tmp('renderer', 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(tmp('secret.txt'), SECRET)
  writeFileSync(tmp('outside', 'secret.js'), SECRET)
  symlinkSync(tmp('secret.txt'), tmp('renderer', 'link.txt'))
  symlinkSync(tmp('outside'), tmp('renderer', 'linked-dir'))
  symlinkSync(tmp('renderer', 'assets', 'app.js'), tmp('renderer', 'inner-link.js'))

  electron = createElectronStandin()
  const { serveRenderer } = await withStandin(electron, () => import('../../src-main/electron/app-protocol'))
  const { securityHeaders } = await import('../../src-main/electron/security')
  serveRenderer(tmp('renderer'), securityHeaders())
})

const get = (url: string, init?: RequestInit) => electron.protocol.fetch(url, init)

async function expectRefused(url: string, init?: RequestInit): Promise<void> {
  const res = await get(url, init)
  const body = await res.text()
  expect(res.status, url).toBe(404)
  expect(body, url).not.toContain(SECRET)
}

describe('app:// protocol', () => {
  it('serves the renderer files with the CSP and nosniff headers', async () => {
    for (const url of ['app://renderer/', 'app://renderer/index.html', 'app://renderer/assets/app.js']) {
      const res = await get(url)
      expect(res.status, url).toBe(200)
      expect(res.headers.get('content-security-policy'), url).toBe(contentSecurityPolicy())
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff')
    }
    expect((await get('app://renderer/')).headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await (await get('app://renderer/assets/app.js')).text()).toBe('console.log(1)')
  })

  it('refuses path traversal, plain and encoded', async () => {
    for (const path of [
      '../secret.txt',
      '..%2Fsecret.txt',
      '..%2fsecret.txt',
      '%2e%2e/secret.txt',
      '%2e%2e%2fsecret.txt',
      '%2E%2E%2Fsecret.txt',
      'assets/..%2F..%2Fsecret.txt',
      'assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '%2F..%2Fsecret.txt',
      '..%5Csecret.txt',
      '..%255Csecret.txt',
      '%2Fetc%2Fpasswd',
      'index.html%00.js',
    ]) {
      await expectRefused(`app://renderer/${path}`)
    }
  })

  it('refuses a symlink that leads out of the renderer folder, and follows one that stays inside', async () => {
    await expectRefused('app://renderer/link.txt')
    await expectRefused('app://renderer/linked-dir/secret.js')
    expect(await (await get('app://renderer/inner-link.js')).text()).toBe('console.log(1)')
  })

  it('refuses other hosts, other methods and folders', async () => {
    await expectRefused('app://evil/index.html')
    await expectRefused('app://renderer.evil/index.html')
    await expectRefused('app://renderer/index.html', { method: 'POST', body: 'x' })
    await expectRefused('app://renderer/assets')
    await expectRefused('app://renderer/missing.js')
  })
})
