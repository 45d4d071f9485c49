// Navigation, redirects, new windows and <webview> (src-main/electron/security.ts guardWebContents,
// installed by index.ts) on the main window and on any other webContents Electron might create.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { APP_INDEX_URL } from '../../src-main/security/trusted-origin'
import { startMainProcess } from './support/electron-glue'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

const FOREIGN = [
  'https://evil.example/',
  'http://127.0.0.1:5173/',
  'file:///etc/passwd',
  'app://evil/index.html',
  'app://renderer.evil.example/index.html',
  'data:text/html,<script>alert(1)</script>',
  'javascript:alert(1)',
  'not a url',
]
const OWN = [APP_INDEX_URL, 'app://renderer/', 'app://renderer/index.html#/settings']

async function mainWindowContents() {
  const main = await startMainProcess()
  await main.ready()
  return { main, contents: main.electron.windows[0]!.webContents }
}

// A navigation and a redirect are the same decision: only the app: origin may be reached.
describe.each([
  { event: 'will-navigate', allowed: 'is allowed within the app: origin (a reload)' },
  { event: 'will-redirect', allowed: 'is allowed within the app: origin' },
] as const)('$event', ({ event, allowed }) => {
  it('is prevented to any other origin', async () => {
    const { contents } = await mainWindowContents()
    for (const url of FOREIGN) expect(contents.attempt(event, url), url).toBe(true)
  })

  it(allowed, async () => {
    const { contents } = await mainWindowContents()
    for (const url of OWN) expect(contents.attempt(event, url), url).toBe(false)
  })
})

describe('new windows', () => {
  it('are denied, whatever the URL (our own included)', async () => {
    const { contents } = await mainWindowContents()
    for (const url of [...FOREIGN, ...OWN]) expect(contents.openWindow(url), url).toEqual({ action: 'deny' })
  })
})

describe('<webview>', () => {
  it('cannot be attached', async () => {
    const { contents } = await mainWindowContents()
    expect(contents.attempt('will-attach-webview', { nodeIntegration: true }, { src: 'https://evil.example/' })).toBe(true)
    expect(contents.attempt('will-attach-webview', {}, { src: APP_INDEX_URL })).toBe(true)
  })
})

describe('every webContents is guarded, not only the main window', () => {
  it('gets the same guards as soon as Electron creates it', async () => {
    const { main } = await mainWindowContents()
    const other = main.electron.createOtherWebContents()
    expect(other.attempt('will-navigate', 'https://evil.example/')).toBe(true)
    expect(other.attempt('will-redirect', 'https://evil.example/')).toBe(true)
    expect(other.attempt('will-attach-webview', {}, { src: 'https://evil.example/' })).toBe(true)
    expect(other.openWindow('https://evil.example/')).toEqual({ action: 'deny' })
    expect(other.attempt('will-navigate', APP_INDEX_URL)).toBe(false)
  })

  it('is guarded from before the app is ready', async () => {
    const main = await startMainProcess()
    const early = main.electron.createOtherWebContents()
    expect(early.attempt('will-navigate', 'https://evil.example/')).toBe(true)
  })
})
