// Finding the addon from every place the code runs: sources, dist-cli, out/main, a packaged asar.
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ADDON_PATH_ENV, AddonLoadError, addonCandidates, loadAddon, resolveAddonPath } from '../../src-main/addon/load-addon'
import { defaultRendererDir, findPackageRoot } from '../../src-main/paths'

const ROOT = resolve(__dirname, '../..')
const RELEASE = join(ROOT, 'native', 'build', 'Release', 'iocp_monitor.node')

describe('load-addon', () => {
  it.each([
    ['source (tsx, vitest)', join(ROOT, 'src-main', 'addon')],
    ['the compiled CLI', join(ROOT, 'dist-cli', 'src-main', 'addon')],
    ["Electron's bundle", join(ROOT, 'out', 'main')],
  ])('resolves the Release build from %s', (_where, dir) => {
    expect(resolveAddonPath(dir, {})).toBe(RELEASE)
  })

  it('looks in app.asar.unpacked for a packaged app', () => {
    const c = addonCandidates('/opt/IOCP Monitor/resources/app.asar/out/main', {})
    expect(c[0]).toBe(join('/opt/IOCP Monitor/resources/app.asar.unpacked/out/main/native/build/Release/iocp_monitor.node'))
    expect(c).toContain('/opt/IOCP Monitor/resources/app.asar.unpacked/native/build/Release/iocp_monitor.node')
  })

  it(`honours ${ADDON_PATH_ENV}, and says so when it points nowhere`, () => {
    expect(resolveAddonPath('/', { [ADDON_PATH_ENV]: RELEASE })).toBe(RELEASE)
    expect(() => resolveAddonPath('/', { [ADDON_PATH_ENV]: '/nope.node' })).toThrow(/IOCP_MONITOR_ADDON points to a missing file/)
  })

  it('fails with the list of places it tried', () => {
    try {
      resolveAddonPath('/tmp', {})
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(AddonLoadError)
      expect((e as Error).message).toMatch(/npm run build:native/)
      expect((e as AddonLoadError).tried).toContain('/tmp/native/build/Release/iocp_monitor.node')
    }
  })

  it('loads the real addon with its Engine and errorCatalog', () => {
    const a = loadAddon()
    expect(typeof a.Engine).toBe('function')
    expect(a.errorCatalog().length).toBeGreaterThan(0)
    expect(loadAddon()).toBe(a) // one instance per process
  })

  it('finds the package root and the renderer build from anywhere inside it', () => {
    expect(findPackageRoot(join(ROOT, 'dist-cli', 'src-main'))).toBe(ROOT)
    expect(defaultRendererDir(join(ROOT, 'out', 'main'))).toBe(join(ROOT, 'out', 'renderer'))
    expect(findPackageRoot('/')).toBeNull()
  })
})
