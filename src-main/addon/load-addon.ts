// Finds and loads the native addon. Path resolution walks up from this file (see ../paths.ts) and
// also looks inside app.asar.unpacked, because a packaged Electron app cannot dlopen from an asar.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ancestors } from '../paths'
import type { NativeAddon } from './native-addon'

/** Set to an absolute .node path to load a specific build (e.g. a Debug build). */
export const ADDON_PATH_ENV = 'IOCP_MONITOR_ADDON'

const RELATIVE_BUILDS = [join('native', 'build', 'Release', 'iocp_monitor.node'), join('native', 'build', 'Debug', 'iocp_monitor.node')]

export class AddonLoadError extends Error {
  readonly tried: string[]
  constructor(message: string, tried: string[]) {
    super(message)
    this.name = 'AddonLoadError'
    this.tried = tried
  }
}

/** Every path the loader would try, in order. Pure (given `exists`), for tests. */
export function addonCandidates(fromDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  const override = env[ADDON_PATH_ENV]
  if (override) out.push(override)
  for (const dir of ancestors(fromDir)) {
    for (const rel of RELATIVE_BUILDS) {
      const p = join(dir, rel)
      out.push(p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'))
      if (p.includes('app.asar')) out.push(p)
    }
  }
  return [...new Set(out)]
}

export function resolveAddonPath(fromDir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const tried = addonCandidates(fromDir, env)
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
