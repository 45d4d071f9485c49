// The small security building blocks shared by the Electron glue and the dashboard server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readStaticFile, resolveStaticPath } from '../../src-main/bridge/static-files'
import { contentSecurityPolicy } from '../../src-main/security/csp'
import { allowedHosts, allowedOrigins, hostForUrl, isLoopback } from '../../src-main/security/loopback'
import { generateToken, tokensEqual } from '../../src-main/security/token'
import { APP_INDEX_URL, APP_ORIGIN, isTrustedUrl, urlOrigin } from '../../src-main/security/trusted-origin'

describe('token', () => {
  it('is 128 random bits in hex, different every time', () => {
    const a = generateToken()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(generateToken()).not.toBe(a)
  })

  it('compares exactly, whatever the lengths or types', () => {
    const t = generateToken()
    expect(tokensEqual(t, t)).toBe(true)
    expect(tokensEqual(t.slice(0, -1), t)).toBe(false)
    expect(tokensEqual(t + 'a', t)).toBe(false)
    expect(tokensEqual('', t)).toBe(false)
    expect(tokensEqual(null, t)).toBe(false)
    expect(tokensEqual(undefined, t)).toBe(false)
    expect(tokensEqual(t.toUpperCase(), t)).toBe(false)
  })
})

describe('content security policy', () => {
  it('allows only our own scripts, no eval, no plugins, no framing', () => {
    const csp = contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:1234'] })
    expect(csp).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:1234; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    expect(contentSecurityPolicy()).toContain("connect-src 'self';")
  })
})

describe('loopback helpers', () => {
  it('recognise loopback addresses and bracket IPv6', () => {
    expect(isLoopback('127.0.0.1')).toBe(true)
    expect(isLoopback('127.1.2.3')).toBe(true)
    expect(isLoopback('::1')).toBe(true)
    expect(isLoopback('0.0.0.0')).toBe(false)
    expect(isLoopback('10.0.0.1')).toBe(false)
    expect(hostForUrl('::1')).toBe('[::1]')
    expect(hostForUrl('127.0.0.1')).toBe('127.0.0.1')
  })

  it('allow the bound name and, on loopback, localhost', () => {
    expect(allowedHosts('127.0.0.1', 80)).toEqual(['127.0.0.1:80', 'localhost:80'])
    expect(allowedOrigins('::1', 80)).toEqual(['http://[::1]:80', 'http://localhost:80'])
    expect(allowedHosts('10.0.0.5', 80)).toEqual(['10.0.0.5:80'])
  })
})

describe('trusted renderer origin', () => {
  it('compares scheme://host, also for the custom app: scheme', () => {
    expect(urlOrigin(APP_INDEX_URL)).toBe(APP_ORIGIN)
    expect(isTrustedUrl('app://renderer/index.html#/x', [APP_ORIGIN])).toBe(true)
    expect(isTrustedUrl('app://evil/index.html', [APP_ORIGIN])).toBe(false)
    expect(isTrustedUrl('file:///work/out/renderer/index.html', [APP_ORIGIN])).toBe(false)
    expect(isTrustedUrl('https://renderer/', [APP_ORIGIN])).toBe(false)
    expect(isTrustedUrl('http://localhost:5173/', [APP_ORIGIN, 'http://localhost:5173'])).toBe(true)
    expect(isTrustedUrl('http://localhost:5174/', [APP_ORIGIN, 'http://localhost:5173'])).toBe(false)
    for (const bad of [undefined, null, '', 'not a url', 'about:blank', 'data:text/html,x']) expect(isTrustedUrl(bad, [APP_ORIGIN])).toBe(false)
  })
})

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'iocpm-root-'))
  writeFileSync(join(root, 'index.html'), '<html>')
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('maps URL paths inside the root only', () => {
    expect(resolveStaticPath(root, '/index.html')).toBe(join(root, 'index.html'))
    expect(resolveStaticPath(root, '/assets/a%20b.js')).toBe(join(root, 'assets', 'a b.js'))
    // Dot segments are clamped at the root (as a browser would), never followed out of it.
    for (const climb of ['/../x', '/%2e%2e/x', '/a/../../x', '/..%2f..%2fetc/passwd']) {
      const p = resolveStaticPath(root, climb)
      expect(p === null || p.startsWith(root + sep)).toBe(true)
    }
    for (const bad of ['/%00', '/a\\..\\x', '/a%5c..%5cx', '/%E0%A4%A', '/', '/..']) expect(resolveStaticPath(root, bad)).toBeNull()
  })

  it('reads files with a content type; directories and missing files are null', async () => {
    expect(await readStaticFile(root, '/index.html')).toMatchObject({ type: 'text/html; charset=utf-8' })
    expect(await readStaticFile(root, '/missing.js')).toBeNull()
    expect(await readStaticFile(root, '/.')).toBeNull()
  })
})
