// Finds and loads the native addon. From the sources, the compiled CLI and Electron's out/main the
// path is found by walking up from this file (see ../paths.ts) to native/build/{Release,Debug}.
// A packaged app (electron-builder.yml) is different: its code runs from inside resources/app.asar
// and its one addon, the build for that platform, sits in app.asar.unpacked/native/ (a .node file
// cannot be dlopen()ed from an asar); only that file is tried, see addonCandidates.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ancestors } from '../paths'
import type { NativeAddon } from './native-addon'

/** Set to an absolute .node path to load a specific build (e.g. a Debug build). */
export const ADDON_PATH_ENV = 'IOCP_MONITOR_ADDON'

const RELATIVE_BUILDS = [join('native', 'build', 'Release', 'iocp_monitor.node'), join('native', 'build', 'Debug', 'iocp_monitor.node')]

/** Where a packaged app holds the addon, relative to its app.asar.unpacked (electron-builder.yml). */
export const PACKAGED_ADDON = join('native', 'iocp_monitor.node')

export class AddonLoadError extends Error {
  readonly tried: string[]
  constructor(message: string, tried: string[]) {
    super(message)
    this.name = 'AddonLoadError'
    this.tried = tried
  }
}

/**
 * The app.asar archive `fromDir` lies in (e.g. `/opt/IOCP Monitor/resources/app.asar` for
 * `…/app.asar/out/main`), or null when this code is not running from a packaged app.
 * Either path separator, so it reads Windows paths too.
 */
export function packagedAppArchive(fromDir: string): string | null {
  const m = /^(.*?[\\/]app\.asar)(?=[\\/]|$)/.exec(fromDir)
  return m ? m[1] : null
}

/**
 * Every path the loader would try, in order. Pure, for tests.
 *
 * In a packaged app that is exactly one file, `<app.asar>.unpacked/native/iocp_monitor.node`:
 * no walk up out of the package, and IOCP_MONITOR_ADDON is ignored. The package's fuses turn off
 * NODE_OPTIONS and ELECTRON_RUN_AS_NODE so that no environment variable can run other code in
 * the shipped binary; an environment variable naming a .node file to dlopen would be the same hole.
 */
export function addonCandidates(fromDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const archive = packagedAppArchive(fromDir)
  if (archive) return [join(`${archive}.unpacked`, PACKAGED_ADDON)]
  const out: string[] = []
  const override = env[ADDON_PATH_ENV]
  if (override) out.push(override)
  for (const dir of ancestors(fromDir)) {
    for (const rel of RELATIVE_BUILDS) out.push(join(dir, rel))
  }
  return [...new Set(out)]
}

export function resolveAddonPath(fromDir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const tried = addonCandidates(fromDir, env)
  if (packagedAppArchive(fromDir)) {
    if (!existsSync(tried[0])) throw new AddonLoadError(`this package is missing its native addon: ${tried[0]}`, tried)
    return tried[0]
  }
  if (env[ADDON_PATH_ENV] && !existsSync(env[ADDON_PATH_ENV]!)) {
    throw new AddonLoadError(`${ADDON_PATH_ENV} points to a missing file: ${env[ADDON_PATH_ENV]}`, tried)
  }
  const found = tried.find((p) => existsSync(p))
  if (!found) {
    throw new AddonLoadError('native addon not found; build it with `npm run build:native`', tried)
  }
  return found
}

function isNativeAddon(x: unknown): x is NativeAddon {
  const a = x as Partial<NativeAddon> | null
  return !!a && typeof a.Engine === 'function' && typeof a.errorCatalog === 'function'
}

/** Loads (once per process, through require's cache) and checks the addon's exports. */
export function loadAddon(fromDir: string = __dirname): NativeAddon {
  const file = resolveAddonPath(fromDir)
  // createRequire rather than require: this module is also bundled by Vite, which must leave a
  // run-time path alone instead of trying to resolve it at build time.
  const req = createRequire(join(fromDir, 'load-addon.js'))
  let mod: unknown
  try {
    mod = req(file)
  } catch (err) {
    throw new AddonLoadError(`native addon at ${file} failed to load: ${(err as Error).message}`, [file])
  }
  if (!isNativeAddon(mod)) throw new AddonLoadError(`${file} is not the iocp_monitor addon`, [file])
  return mod
}
