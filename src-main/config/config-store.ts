// The per-user config file, <dir>/config.json (schema: src-shared/app-config.ts). The caller
// chooses the directory: Electron passes app.getPath('userData'); the CLI's ui mode uses
// defaultConfigDir(). Loading never fails: a missing file means defaults; a file that does not
// parse or does not validate is renamed to config.json.corrupt-<timestamp> (kept for the user,
// never silently overwritten) and the defaults are used, with a notice for the UI. Saving is
// atomic (temp file + fsync + rename), so a crash mid-save leaves the previous file. The folder and
// the file are created owner-only (../service/owner-only).
import { mkdir, readFile, rename, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { Readable } from 'node:stream'
import { DEFAULT_APP_CONFIG, validateAppConfig, type AppConfig, type ConfigNotice } from '../../src-shared/app-config'
import { writeFileAtomic } from '../service/atomic-file'
import { OWNER_ONLY_DIR_MODE } from '../service/owner-only'

export const CONFIG_FILE_NAME = 'config.json'
/** A config file is a few KB; anything this big is not ours. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024

export interface LoadedConfig {
  config: AppConfig
  notice: ConfigNotice | null
}

/** $XDG_CONFIG_HOME/iocp-monitor, else ~/.config/iocp-monitor (%APPDATA%\iocp-monitor on Windows). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), platform: NodeJS.Platform = process.platform): string {
  const xdg = env['XDG_CONFIG_HOME']
  // The XDG spec: a relative value is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'iocp-monitor')
  if (platform === 'win32' && env['APPDATA']) return join(env['APPDATA'], 'iocp-monitor')
  return join(home, '.config', 'iocp-monitor')
}

/** A file-name-safe UTC timestamp: 2026-11-26T01-53-00-123Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-')
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

export class ConfigStore {
  readonly path: string

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dir, CONFIG_FILE_NAME)
  }

  async load(): Promise<LoadedConfig> {
    let text: string
    try {
      const info = await stat(this.path)
      if (info.isFile() && info.size > MAX_CONFIG_BYTES) return this.setAside('config-corrupt', `${this.path} is ${info.size} bytes, too large to be a configuration`)
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code === 'ENOENT') return { config: structuredClone(DEFAULT_APP_CONFIG), notice: null }
      // Unreadable (permissions, a directory in the way): leave it alone, say so, run on defaults.
      return {
        config: structuredClone(DEFAULT_APP_CONFIG),
        notice: { code: 'config-unreadable', message: `cannot read ${this.path} (${e.code ?? e.message}); using the default settings`, movedTo: null },
      }
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      return this.setAside('config-corrupt', `${this.path} is not valid JSON (${(err as Error).message})`)
    }
    const v = validateAppConfig(json)
    if (!v.ok) return this.setAside('config-invalid', `${this.path} has invalid settings: ${v.errors.map((e) => e.message).join('; ')}`, v.errors)
    return { config: v.value, notice: null }
  }

  /** Validates and writes atomically, creating the directory if needed. Rejects on an invalid config or a write error. */
  async save(config: AppConfig): Promise<void> {
    const v = validateAppConfig(config)
    if (!v.ok) throw new Error(`refusing to save an invalid configuration: ${v.errors.map((e) => e.message).join('; ')}`)
    await mkdir(this.dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE })
    await writeFileAtomic(this.path, Readable.from([JSON.stringify(v.value, null, 2) + '\n']))
  }

  private async setAside(code: ConfigNotice['code'], why: string, fieldErrors?: ConfigNotice['fieldErrors']): Promise<LoadedConfig> {
    const base = `${this.path}.corrupt-${stamp(this.now())}`
    let movedTo: string | null = base
    for (let n = 1; await exists(movedTo!); n++) movedTo = `${base}-${n}`
    try {
      await rename(this.path, movedTo!)
    } catch {
      movedTo = null
    }
    const where = movedTo ? `it was renamed to ${movedTo}` : 'it could not be renamed'
    const notice: ConfigNotice = { code, message: `${why}. The default settings are in use; ${where}.`, movedTo }
    if (fieldErrors) notice.fieldErrors = fieldErrors
    return { config: structuredClone(DEFAULT_APP_CONFIG), notice }
  }
}
