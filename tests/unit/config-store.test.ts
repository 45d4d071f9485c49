// The per-user config file: round trip, atomic save, and a corrupt or invalid file set aside as
// config.json.corrupt-<timestamp> with a notice and the defaults in use — never a crash.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_APP_CONFIG, SAMPLER_HZ_LIMITS, validateAppConfig, type AppConfig } from '../../src-shared/app-config'
import { validatePayload } from '../../src-shared/validate'
import { ConfigStore, defaultConfigDir } from '../../src-main/config/config-store'
import { SAMPLE_HZ } from '../../src-main/service/sampler'

const NOW = Date.UTC(2026, 10, 26, 1, 53, 0, 123)

describe('ConfigStore', () => {
  let dir: string
  let store: ConfigStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iocpm-config-'))
    store = new ConfigStore(join(dir, 'nested', 'iocp-monitor'), () => NOW)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const custom: AppConfig = {
    ...DEFAULT_APP_CONFIG,
    server: { ...DEFAULT_APP_CONFIG.server, port: 9100, workers: 4, workload: 'discard' },
    sampler: { hz: 20 },
    alerts: [{ metric: 'queueDepth', worker: 'all', op: '>', threshold: 50, forSeconds: 3 }],
    ui: { language: 'ko', theme: 'dark' },
    prometheus: { enabled: true, port: 9555 },
  }

  it('a missing file gives the defaults and no notice', async () => {
    expect(await store.load()).toEqual({ config: DEFAULT_APP_CONFIG, notice: null })
  })

  it('round trip: save creates the directory and writes atomically; load reads the same config', async () => {
    await store.save(custom)
    expect(readdirSync(store.dir)).toEqual(['config.json']) // no temp file left behind
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual(custom)
    expect(await store.load()).toEqual({ config: custom, notice: null })
    // Saving again replaces the file.
    await store.save({ ...custom, ui: { language: 'en' } })
    expect((await store.load()).config.ui).toEqual({ language: 'en' })
  })

  it('an older file with missing sections is completed from the defaults', async () => {
    mkdirSync(store.dir, { recursive: true })
    writeFileSync(store.path, JSON.stringify({ server: { port: 9200 } }))
    const r = await store.load()
    expect(r.notice).toBeNull()
    expect(r.config).toEqual({ ...DEFAULT_APP_CONFIG, server: { ...DEFAULT_APP_CONFIG.server, port: 9200 } })
  })

  it('a corrupt file is renamed to config.json.corrupt-<timestamp>, with a notice; defaults apply', async () => {
    mkdirSync(store.dir, { recursive: true })
    writeFileSync(store.path, '{"server": {"port": 91')
    const r = await store.load()
    expect(r.config).toEqual(DEFAULT_APP_CONFIG)
    const moved = join(store.dir, 'config.json.corrupt-2026-11-26T01-53-00-123Z')
    expect(r.notice).toMatchObject({ code: 'config-corrupt', movedTo: moved })
    expect(r.notice!.message).toContain('not valid JSON')
    expect(readFileSync(moved, 'utf8')).toBe('{"server": {"port": 91') // kept for the user
    expect(readdirSync(store.dir)).toEqual(['config.json.corrupt-2026-11-26T01-53-00-123Z'])
    // The next load finds no file (defaults, no notice); a second bad file gets its own name.
    expect((await store.load()).notice).toBeNull()
    writeFileSync(store.path, '')
    expect((await store.load()).notice!.movedTo).toBe(`${moved}-1`)
  })

  it('an invalid field sets the file aside too, naming the field', async () => {
    mkdirSync(store.dir, { recursive: true })
    writeFileSync(store.path, JSON.stringify({ ...custom, prometheus: { enabled: 'yes', port: 9464 } }))
    const r = await store.load()
    expect(r.config).toEqual(DEFAULT_APP_CONFIG)
    expect(r.notice).toMatchObject({ code: 'config-invalid', fieldErrors: [{ field: 'prometheus.enabled' }] })
    expect(readdirSync(store.dir).some((f) => f.startsWith('config.json.corrupt-'))).toBe(true)

    for (const bad of [[1, 2], 'text', { unknownSection: {} }, { server: { port: 0 } }, { alerts: [{ metric: 'x' }] }, { version: 2 }]) {
      writeFileSync(store.path, JSON.stringify(bad))
      const b = await store.load()
      expect(b.config).toEqual(DEFAULT_APP_CONFIG)
      expect(b.notice?.code).toBe('config-invalid')
    }
  })

  it('an unreadable path is reported, left alone, and never crashes', async () => {
    mkdirSync(store.path, { recursive: true }) // a directory where the file should be
    const r = await store.load()
    expect(r.config).toEqual(DEFAULT_APP_CONFIG)
    expect(r.notice).toMatchObject({ code: 'config-unreadable', movedTo: null })
    await expect(store.save(custom)).rejects.toThrow()
  })

  it('refuses to save an invalid config', async () => {
    await expect(store.save({ ...custom, sampler: { hz: 1000 } })).rejects.toThrow(/sampler.hz/)
  })

  it.skipIf(process.getuid?.() === 0)('a file without read permission is reported as unreadable', async () => {
    await store.save(custom)
    chmodSync(store.path, 0)
    expect((await store.load()).notice?.code).toBe('config-unreadable')
  })
})

describe('app config contract', () => {
  it('the sampler range matches the sampler', () => {
    expect(SAMPLER_HZ_LIMITS).toEqual({ min: SAMPLE_HZ.min, max: SAMPLE_HZ.max })
    expect(DEFAULT_APP_CONFIG.sampler.hz).toBe(SAMPLE_HZ.default)
  })

  it('config:set keeps only what was sent, validated', () => {
    expect(validatePayload('config:set', { ui: { language: 'ko' }, server: { port: 9100 } })).toEqual({ ok: true, value: { ui: { language: 'ko' }, server: { port: 9100 } } })
    const bad = validatePayload('config:set', { ui: { language: 'fr' } })
    expect(bad.ok === false && bad.error).toMatchObject({ code: 'invalid-config', fieldErrors: [{ field: 'ui.language' }] })
    expect(validatePayload('config:set', 'x').ok).toBe(false)
    expect(validatePayload('config:set', { server: { host: 'example.com' } }).ok).toBe(false)
  })

  it('merges a patch section by section over a base', () => {
    const v = validateAppConfig({ server: { workers: 8 } }, { ...DEFAULT_APP_CONFIG, server: { ...DEFAULT_APP_CONFIG.server, port: 9300 } })
    expect(v.ok && v.value.server).toMatchObject({ workers: 8, port: 9300 })
  })

  it('defaultConfigDir follows XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u', 'linux')).toBe('/x/cfg/iocp-monitor')
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, '/home/u', 'linux')).toBe('/home/u/.config/iocp-monitor')
    expect(defaultConfigDir({}, '/home/u', 'linux')).toBe('/home/u/.config/iocp-monitor')
  })
})
