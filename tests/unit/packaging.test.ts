// The packaging configuration (electron-builder.yml). The package itself cannot be built here
// (electron-builder needs to download Electron for each platform), so this checks everything that
// can be checked without it:
//   - electron-builder reads the file (its own loader) and it is valid against electron-builder's
//     own JSON schema, node_modules/app-builder-lib/scheme.json, with ajv (no type coercion, so
//     `runAsNode: "false"` would not pass as it would in electron-builder's lenient validator,
//     which is run as well);
//   - the six fuses, exactly, and the wire config electron-builder hands to @electron/fuses;
//   - the targets, the asar unpacking of the addon, which build of the addon each platform ships,
//     and that the loader looks for it where the package puts it;
//   - that nothing outside out/ and the addon goes into the app.
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync, type Stats } from 'node:fs'
import { join, resolve } from 'node:path'
import Ajv from 'ajv'
import { PlatformPackager, type Configuration, type FileSet } from 'app-builder-lib'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { getFileMatchers } from 'app-builder-lib/out/fileMatcher'
import { FuseV1Options, FuseVersion } from '@electron/fuses'
import { beforeAll, describe, expect, it } from 'vitest'
import { PACKAGED_ADDON, addonCandidates } from '../../src-main/addon/load-addon'

const ROOT = resolve(__dirname, '../..')
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object

const FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
}

type Platform = 'linux' | 'win'
const ADDON_BUILD: Record<Platform, string> = { linux: 'native/build/Release', win: 'native/build-win/Release' }

let config: Configuration

// ajv 6 (draft-07, the schema's draft); allErrors so a failure lists every problem at once.
const validate = new Ajv({ allErrors: true }).compile(SCHEMA)

function schemaErrors(c: unknown): string[] {
  return validate(c) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`)
}

function targetNames(platform: Platform): string[] {
  const t = config[platform]?.target
  const list = t == null ? [] : Array.isArray(t) ? t : [t]
  return list.map((x) => (typeof x === 'string' ? x : x.target))
}

/**
 * Every entry of `files` that applies to the platform (the top level's, then the platform's), as
 * FileSets: electron-builder's loader turns a list of patterns into one FileSet with no `from`.
 */
function filesFor(platform: Platform): FileSet[] {
  const all = [config.files, config[platform]?.files].flatMap((f) => (f == null ? [] : Array.isArray(f) ? f : [f]))
  return (all as Array<string | FileSet>).map((f) => (typeof f === 'string' ? { filter: [f] } : f))
}

/** The patterns for files taken from the project itself (FileSets without `from`). */
function ownPatterns(platform: Platform): string[] {
  return filesFor(platform)
    .filter((f) => f.from == null)
    .flatMap((f) => (f.filter == null ? [] : Array.isArray(f.filter) ? f.filter : [f.filter]))
}

/** electron-builder's own matcher (the one it packs with) for one option and platform. */
function matchers(name: 'files' | 'asarUnpack', platform: Platform) {
  return (
    getFileMatchers(config, name, join(ROOT, 'dist', 'app'), {
      macroExpander: (s: string) => s,
      customBuildOptions: config[platform] ?? {},
      globalOutDir: join(ROOT, 'dist'),
      defaultSrc: ROOT,
    }) ?? []
  )
}

const FILE_STAT = { isDirectory: () => false, isFile: () => true } as Stats

beforeAll(async () => {
  config = await getConfig(ROOT, null, null)
})

describe('electron-builder.yml', () => {
  it('is what electron-builder loads, and valid against its own schema (app-builder-lib/scheme.json)', async () => {
    expect(config.appId).toBe('dev.iocp-monitor.app')
    expect(schemaErrors(config)).toEqual([])
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined } as never)).resolves.toBeUndefined()
    // package.json has no "build" key that electron-builder would read instead
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).build).toBeUndefined()
  })

  it('the schema check has teeth: a misspelt or mistyped fuse is rejected', () => {
    expect(schemaErrors({ ...config, electronFuses: { ...FUSES, runAsnode: false } })).not.toEqual([])
    expect(schemaErrors({ ...config, electronFuses: { ...FUSES, runAsNode: 'false' } })).not.toEqual([])
    expect(schemaErrors({ ...config, linux: { ...config.linux, tagret: ['deb'] } })).not.toEqual([])
  })

  it('sets exactly the six fuses', () => {
    expect(config.electronFuses).toEqual(FUSES)
  })

  it('makes electron-builder flip exactly those fuses in the Electron binary', async () => {
    // generateFuseConfig is what electron-builder's afterPack step passes to @electron/fuses'
    // flipFuses (private in its typings; it does not use `this`).
    const generate = (PlatformPackager.prototype as unknown as { generateFuseConfig(f: unknown): Promise<Record<string, unknown>> }).generateFuseConfig
    const wire = await generate.call(null, config.electronFuses)
    expect(wire).toEqual({
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: undefined,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
    })
  })

  it('names the app and builds AppImage and deb for Linux, NSIS for Windows', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
    expect(config.productName).toBe('IOCP Monitor')
    expect(targetNames('linux').sort()).toEqual(['AppImage', 'deb'])
    expect(targetNames('win')).toEqual(['nsis'])
    expect((config as { mac?: unknown }).mac).toBeUndefined()
  })

  it('packs an asar and unpacks the addon from it, by electron-builder\'s own matcher', () => {
    expect(config.asar).not.toBe(false)
    for (const platform of ['linux', 'win'] as const) {
      const unpack = matchers('asarUnpack', platform)[0].createFilter()
      expect(unpack(join(ROOT, 'native', 'iocp_monitor.node'), FILE_STAT)).toBe(true)
      expect(unpack(join(ROOT, ADDON_BUILD[platform], 'iocp_monitor.node'), FILE_STAT)).toBe(true)
      expect(unpack(join(ROOT, 'out', 'main', 'index.js'), FILE_STAT)).toBe(false)
    }
  })

  it.each(['linux', 'win'] as const)('%s ships its own build of the addon, where the loader looks for it', (platform) => {
    const sets = filesFor(platform).filter((f) => f.from != null)
    expect(sets).toEqual([{ from: ADDON_BUILD[platform], to: 'native', filter: ['iocp_monitor.node'] }])
    // the FileSet's destination is the loader's one packaged path, under app.asar.unpacked
    expect(join(sets[0].to!, (sets[0].filter as string[])[0])).toBe(PACKAGED_ADDON)
    const resources = platform === 'win' ? '/c/Program Files/IOCP Monitor/resources' : '/opt/IOCP Monitor/resources'
    expect(addonCandidates(`${resources}/app.asar/out/main`, {})).toEqual([join(`${resources}/app.asar.unpacked`, PACKAGED_ADDON)])
    // and electron-builder's matcher for that FileSet takes the addon and nothing else from the build
    const fromBuild = matchers('files', platform).find((m) => m.from === join(ROOT, ADDON_BUILD[platform]))!
    const take = fromBuild.createFilter()
    expect(take(join(ROOT, ADDON_BUILD[platform], 'iocp_monitor.node'), FILE_STAT)).toBe(true)
    expect(take(join(ROOT, ADDON_BUILD[platform], 'obj.target', 'x.o'), FILE_STAT)).toBe(false)
  })

  it('the Windows package never takes the Linux addon, nor Linux the Windows one', () => {
    const text = (p: Platform) => JSON.stringify(filesFor(p))
    expect(text('win')).not.toContain('native/build/')
    expect(text('linux')).not.toContain('build-win')
    expect(JSON.stringify([config.extraResources, config.extraFiles, config.linux?.extraResources, config.win?.extraResources])).not.toMatch(/native|\.node/)
  })

  it('puts only out/ (and the addon) into the app: no sources, tests or other files of the repository', () => {
    for (const platform of ['linux', 'win'] as const) {
      const patterns = ownPatterns(platform)
      expect(patterns).toContain('out/**/*')
      for (const f of patterns) {
        expect(f.startsWith('out/') || f.startsWith('!'), f).toBe(true)
        expect(f, f).not.toMatch(/^!?(src|tests?)\b|\/src\/|\/tests?\//)
      }
      // Every file git tracks (the whole source tree), through electron-builder's own matcher for
      // the top-level patterns: none is taken (out/ is a build output, never tracked).
      const top = matchers('files', platform).find((m) => m.from === ROOT)!.createFilter()
      const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)
      expect(tracked.length).toBeGreaterThan(100)
      expect(tracked.filter((f) => top(join(ROOT, f), FILE_STAT))).toEqual([])
      expect(top(join(ROOT, 'out', 'main', 'index.js'), FILE_STAT)).toBe(true)
      expect(top(join(ROOT, 'out', 'renderer', 'index.html'), FILE_STAT)).toBe(true)
    }
  })

  it('points electron-builder at the entry electron-vite builds', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> }
    expect(pkg.main).toBe('out/main/index.js')
    expect(pkg.scripts.dist).toMatch(/electron-vite build && npm run build:win && electron-builder --linux --win/)
    expect(statSync(join(ROOT, 'electron-builder.yml')).isFile()).toBe(true)
  })
})
