// config:get / config:set and alerts:set through the service's invoke path (the bridge's): the
// notice of a set-aside file reaches the UI, changes are saved and applied (alert rules, the
// /metrics endpoint turned on, moved and off), invalid patches change nothing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AlertsState } from '../../src-shared/alerts'
import { DEFAULT_APP_CONFIG, type ConfigState } from '../../src-shared/app-config'
import { ConfigStore } from '../../src-main/config/config-store'
import { createApp, type App, type AppOptions } from '../../src-main/app'
import { silentLogger } from '../../src-main/service/log'
import { MonitorService } from '../../src-main/service/monitor-service'
import { addon } from '../addon/support/addon'
import { freePort, occupyPort } from '../addon/support/net'

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', () => resolve(0))
  })
}

describe('ops config over invoke', () => {
  let dir: string
  let service: MonitorService
  let ops: App | null = null
  /** The app over `store`; `service` becomes its router. */
  async function app(opts: Pick<AppOptions, 'store'>): Promise<App> {
    const a = await createApp({ ...opts, addon, logger: silentLogger })
    service = a.service
    return a
  }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iocpm-opscfg-'))
    // A router with no features registered (the last test); app() replaces it.
    service = new MonitorService({ logger: silentLogger })
  })
  afterEach(async () => {
    await ops?.dispose()
    ops = null
    rmSync(dir, { recursive: true, force: true })
  })

  it('a corrupt file: defaults in use and the notice in config:get until the next save', async () => {
    writeFileSync(join(dir, 'config.json'), '{ not json')
    const store = new ConfigStore(dir)
    ops = await app({ store })
    const got = (await service.invoke('config:get', undefined)) as { ok: true; value: ConfigState }
    expect(got.value.config).toEqual(DEFAULT_APP_CONFIG)
    expect(got.value.path).toBe(store.path)
    expect(got.value.notice).toMatchObject({ code: 'config-corrupt', movedTo: expect.stringContaining('config.json.corrupt-') })
    const set = (await service.invoke('config:set', { ui: { language: 'ko' } })) as { ok: true; value: ConfigState }
    expect(set.value.notice).toBeNull()
    expect(set.value.config.ui).toEqual({ language: 'ko' })
    expect(JSON.parse(readFileSync(store.path, 'utf8')).ui).toEqual({ language: 'ko' })
  })

  it('config:set merges, saves and applies; the /metrics endpoint follows prometheus.enabled/port', async () => {
    const store = new ConfigStore(dir)
    ops = await app({ store })
    const port = await freePort()
    const on = (await service.invoke('config:set', { prometheus: { enabled: true, port }, server: { workers: 3 } })) as { ok: true; value: ConfigState }
    expect(on.ok).toBe(true)
    expect(on.value.metrics).toEqual({ url: `http://127.0.0.1:${port}/metrics`, error: null })
    expect(on.value.config.server).toEqual({ ...DEFAULT_APP_CONFIG.server, workers: 3 })
    expect(await status(on.value.metrics.url!)).toBe(200)

    // Move it, then a port that is taken: the error is reported, the setting kept.
    const port2 = await freePort()
    const moved = (await service.invoke('config:set', { prometheus: { port: port2 } })) as { ok: true; value: ConfigState }
    expect(moved.value.metrics.url).toBe(`http://127.0.0.1:${port2}/metrics`)
    expect(await status(`http://127.0.0.1:${port}/metrics`)).toBe(0)
    const held = await occupyPort()
    try {
      const clash = (await service.invoke('config:set', { prometheus: { port: held.port } })) as { ok: true; value: ConfigState }
      expect(clash.value.metrics).toMatchObject({ url: null, error: { code: 'address-in-use', nativeName: 'EADDRINUSE' } })
      expect(clash.value.config.prometheus).toEqual({ enabled: true, port: held.port })
    } finally {
      await held.close()
    }
    const off = (await service.invoke('config:set', { prometheus: { enabled: false } })) as { ok: true; value: ConfigState }
    expect(off.value.metrics).toEqual({ url: null, error: null })

    // New features over the same directory start with the saved settings.
    await ops.dispose()
    ops = await app({ store })
    const again = (await ops.config.getConfig()) as { ok: true; value: ConfigState }
    expect(again.value.config).toMatchObject({ server: { workers: 3 }, prometheus: { enabled: false, port: held.port } })
  })

  it('alerts:set validates, persists into the config and replaces the rules', async () => {
    const store = new ConfigStore(dir)
    ops = await app({ store })
    const rules = [{ metric: 'sessions', worker: 0, op: '>', threshold: 1000, forSeconds: 10 }]
    const r = (await service.invoke('alerts:set', { rules })) as { ok: true; value: AlertsState }
    expect(r.value).toEqual({ rules, active: [] })
    expect(JSON.parse(readFileSync(store.path, 'utf8')).alerts).toEqual(rules)
    const bad = await service.invoke('alerts:set', { rules: [{ ...rules[0], op: '>=' }] })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-config', fieldErrors: [{ field: 'rules[0].op' }] } })
    expect(((await service.invoke('alerts:list', {})) as { ok: true; value: AlertsState }).value.rules).toEqual(rules)
    // config:set with alerts does the same.
    const viaConfig = (await service.invoke('config:set', { alerts: [] })) as { ok: true; value: ConfigState }
    expect(viaConfig.value.config.alerts).toEqual([])
    expect(((await service.invoke('alerts:list', undefined)) as { ok: true; value: AlertsState }).value.rules).toEqual([])
  })

  it('a failed save changes nothing and says why', async () => {
    mkdirSync(join(dir, 'config.json')) // a directory in the file's place: rename onto it fails
    ops = await app({ store: new ConfigStore(dir) })
    const r = await service.invoke('config:set', { ui: { language: 'ko' } })
    expect(r).toMatchObject({ ok: false, error: { code: 'config-save-failed' } })
    expect(((await service.invoke('config:get', undefined)) as { ok: true; value: ConfigState }).value.config.ui.language).toBe('en')
    expect(await service.invoke('alerts:set', { rules: [] })).toMatchObject({ ok: false, error: { code: 'config-save-failed' } })
  })

  it('without the ops layer the channels answer "unavailable" (and still reject malformed payloads)', async () => {
    expect(await service.invoke('config:get', undefined)).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(await service.invoke('config:get', 'junk')).toMatchObject({ ok: false, error: { code: 'invalid-message' } })
  })
})
