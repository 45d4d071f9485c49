// Finding the addon from every place the code runs: sources, dist-cli, out/main, a packaged asar.
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ADDON_PATH_ENV, AddonLoadError, addonCandidates, loadAddon, packagedAppArchive, resolveAddonPath } from '../../src-main/addon/load-addon'
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

  it('knows when it runs from a packaged app.asar, on either OS', () => {
    expect(packagedAppArchive('/opt/IOCP Monitor/resources/app.asar/out/main')).toBe('/opt/IOCP Monitor/resources/app.asar')
    expect(packagedAppArchive('C:\\Program Files\\IOCP Monitor\\resources\\app.asar\\out\\main')).toBe('C:\\Program Files\\IOCP Monitor\\resources\\app.asar')
    expect(packagedAppArchive('/tmp/.mount_IOCP_xyz/resources/app.asar')).toBe('/tmp/.mount_IOCP_xyz/resources/app.asar')
    for (const dir of [join(ROOT, 'out', 'main'), join(ROOT, 'src-main', 'addon'), '/srv/myapp.asar/out/main', '/srv/app.asar.d/out', '/']) {
      expect(packagedAppArchive(dir)).toBeNull()
    }
  })

  it('in a packaged app tries only app.asar.unpacked/native/iocp_monitor.node, whatever the environment says', () => {
    const dir = '/opt/IOCP Monitor/resources/app.asar/out/main'
    const only = ['/opt/IOCP Monitor/resources/app.asar.unpacked/native/iocp_monitor.node']
    expect(addonCandidates(dir, {})).toEqual(only)
    expect(addonCandidates(dir, { [ADDON_PATH_ENV]: RELEASE })).toEqual(only)
    try {
      resolveAddonPath(dir, { [ADDON_PATH_ENV]: RELEASE })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(AddonLoadError)
      expect((e as Error).message).toBe(`this package is missing its native addon: ${only[0]}`)
      expect((e as AddonLoadError).tried).toEqual(only)
    }
  })

  it('outside a package, walks up to native/build/{Release,Debug} only', () => {
    expect(addonCandidates('/a/b', {})).toEqual([
      '/a/b/native/build/Release/iocp_monitor.node',
      '/a/b/native/build/Debug/iocp_monitor.node',
      '/a/native/build/Release/iocp_monitor.node',
      '/a/native/build/Debug/iocp_monitor.node',
      '/native/build/Release/iocp_monitor.node',
      '/native/build/Debug/iocp_monitor.node',
    ])
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
