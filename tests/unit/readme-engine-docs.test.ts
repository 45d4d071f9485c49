// The README's "## The engine" section against the code: the error catalog table must be the real
// addon's errorCatalog() (same names, order and texts), the configuration table must list exactly
// the fields of DEFAULT_ENGINE_CONFIG with their defaults, ranges and enum values, and the metrics
// tables must list exactly the fields a started engine's snapshot() returns.
//
// Table format the section keeps (so it can be parsed here): tables are found by their first
// header cell ("name", "field", "snapshot field", "worker field", "error field"); a field or name
// is one backticked token in the first cell; nested worker fields are written `inflight.accept`;
// defaults are one backticked JSON value (`9000`, `"127.0.0.1"`, `true`); enum values are
// backticked JSON strings; integer ranges are written "min–max" (en dash) with plain digits.
// README_PATH points the test at a draft instead of README.md.
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../src-main/addon/load-addon'
import type { NativeEngine } from '../../src-main/addon/native-addon'
import { DEFAULT_ENGINE_CONFIG, ENUM_FIELDS, LIMITS, type EngineConfig } from '../../src-shared/engine-config'
import type { EngineSnapshot, ErrorCount, StartInfo, WorkerCounters } from '../../src-shared/engine-snapshot'
import { freePort } from '../addon/support/net'

const ROOT = resolve(__dirname, '../..')
const README = process.env.README_PATH ?? join(ROOT, 'README.md')
const HEADING = '## The engine'

// The interfaces' keys, checked by the type checker (a field added to or removed from the
// interface breaks compilation here), then compared with what the real addon returns.
const SNAPSHOT_KEYS: Record<keyof EngineSnapshot, true> = { monoNs: true, running: true, workers: true }
const WORKER_KEYS: Record<keyof WorkerCounters, true> = {
  worker: true,
  queueDepth: true,
  inflight: true,
  completions: true,
  accepts: true,
  closes: true,
  sessions: true,
  bytesIn: true,
  bytesOut: true,
  busyNs: true,
  errors: true,
}
const ERROR_KEYS: Record<keyof ErrorCount, true> = { code: true, nativeName: true, name: true, count: true }

const ENUMS: Partial<Record<keyof EngineConfig, readonly string[]>> = ENUM_FIELDS

interface Table {
  header: string[]
  rows: string[][]
}

/** The lines from `## The engine` up to the next `## ` heading (headings inside code fences ignored). */
function engineSection(markdown: string): string[] {
  const lines = markdown.split(/\r?\n/)
  let inFence = false
  let start = -1
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence
    if (inFence) continue
    if (start < 0) {
      if (line.trim() === HEADING) start = i + 1
    } else if (/^## /.test(line)) {
      return lines.slice(start, i)
    }
  }
  if (start < 0) throw new Error(`${README} has no "${HEADING}" section`)
  return lines.slice(start)
}

function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '')
  return inner.split(/(?<!\\)\|/).map((c) => c.trim())
}

/** Every pipe table in the lines: header, separator row, body rows. */
function tables(lines: string[]): Table[] {
  const out: Table[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue
    const header = cells(lines[i]!)
    const rows: string[][] = []
    let j = i + 2
    while (j < lines.length && lines[j]!.trim().startsWith('|')) rows.push(cells(lines[j++]!))
    out.push({ header, rows })
    i = j - 1
  }
  return out
}

/** The single table whose first header cell is `first`. */
function table(all: Table[], first: string): Table {
  const found = all.filter((t) => t.header[0]!.toLowerCase() === first)
  if (found.length !== 1) throw new Error(`expected one table headed "${first}" in "${HEADING}", found ${found.length}`)
  return found[0]!
}

function column(t: Table, name: string): number {
  const i = t.header.findIndex((h) => h.toLowerCase() === name)
  if (i < 0) throw new Error(`table "${t.header[0]}" has no column "${name}" (columns: ${t.header.join(', ')})`)
  return i
}

/** The contents of every `code span` in a cell. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
}

/** A cell that must be exactly one code span (a field name or a default value). */
function onlyCode(cell: string, what: string): string {
  const m = /^`([^`]+)`$/.exec(cell)
  if (!m) throw new Error(`${what}: expected one backticked value, got '${cell}'`)
  return m[1]!
}

/** The first-column names of a table, in order. */
function names(t: Table): string[] {
  return t.rows.map((r) => onlyCode(r[0]!, `first cell of a "${t.header[0]}" row`))
}

const section = engineSection(readFileSync(README, 'utf8'))
const sectionTables = tables(section)
const addon = loadAddon()

describe(`README "${HEADING}" section (${README})`, () => {
  it('lists the error catalog exactly as errorCatalog() returns it: names, order, en and ko texts', () => {
    const t = table(sectionTables, 'name')
    const en = column(t, 'english')
    const ko = column(t, 'korean')
    const documented = t.rows.map((r) => ({ name: onlyCode(r[0]!, 'catalog name'), en: r[en]!, ko: r[ko]! }))
    expect(documented).toEqual(addon.errorCatalog())
  })

  describe('configuration table', () => {
    const t = table(sectionTables, 'field')
    const rows = new Map(t.rows.map((r) => [onlyCode(r[0]!, 'config field'), r]))

    it('lists every EngineConfig field exactly once', () => {
      const documented = names(t)
      expect(new Set(documented).size).toBe(documented.length)
      expect([...documented].sort()).toEqual(Object.keys(DEFAULT_ENGINE_CONFIG).sort())
    })

    it.each(Object.keys(DEFAULT_ENGINE_CONFIG) as (keyof EngineConfig)[])('%s: default and allowed values', (key) => {
      const row = rows.get(key)
      expect(row, `no row for ${key}`).toBeDefined()
      const def = onlyCode(row![column(t, 'default')]!, `default of ${key}`)
      expect(JSON.parse(def), `default of ${key}`).toEqual(DEFAULT_ENGINE_CONFIG[key])

      const allowed = row![column(t, 'allowed values')]!
      if (key in LIMITS) {
        const { min, max } = LIMITS[key as keyof typeof LIMITS]
        expect(allowed, `range of ${key}`).toContain(`${min}–${max}`)
      } else if (ENUMS[key]) {
        expect(codeSpans(allowed).map((v) => JSON.parse(v)), `values of ${key}`).toEqual([...ENUMS[key]!])
      } else if (typeof DEFAULT_ENGINE_CONFIG[key] === 'boolean') {
        expect(codeSpans(allowed), `values of ${key}`).toEqual(['true', 'false'])
      } else {
        // A new field needs a rule here; only host is described in words.
        expect(key).toBe('host')
        expect(allowed).toMatch(/IPv4/)
      }
    })
  })

  describe('metrics tables against a started engine', () => {
    const engine: NativeEngine = new addon.Engine()
    const sockets: Socket[] = []
    let info: StartInfo
    let snap: EngineSnapshot

    async function waitFor(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
      const end = Date.now() + timeoutMs
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    }

    function client(port: number): Socket {
      const s = connect({ port, host: '127.0.0.1' })
      s.on('error', () => {}) // the second client is refused with RST on purpose
      sockets.push(s)
      return s
    }

    beforeAll(async () => {
      // One worker and room for one session: the second connection is refused and counted as
      // session-limit, so the snapshot also carries an error object to read the fields of.
      const port = await freePort()
      info = await engine.start({ host: '127.0.0.1', port, workers: 1, maxSessions: 1 })
      client(port)
      await waitFor('the first session', () => engine.snapshot().workers[0]!.sessions === 1)
      client(port)
      await waitFor('the session-limit error', () => engine.snapshot().workers[0]!.errors.length > 0)
      snap = engine.snapshot()
    })

    afterAll(async () => {
      for (const s of sockets) s.destroy()
      await engine.stop()
    })

    it('snapshot fields', () => {
      expect(Object.keys(snap).sort()).toEqual(Object.keys(SNAPSHOT_KEYS).sort())
      expect(names(table(sectionTables, 'snapshot field')).sort()).toEqual(Object.keys(snap).sort())
    })

    it('worker fields (nested objects as parent.child)', () => {
      const w = snap.workers[0]!
      expect(Object.keys(w).sort()).toEqual(Object.keys(WORKER_KEYS).sort())
      const real = Object.entries(w).flatMap(([k, v]) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((sub) => `${k}.${sub}`) : [k],
      )
      expect(names(table(sectionTables, 'worker field')).sort()).toEqual(real.sort())
    })

    it('error count fields', () => {
      const e = snap.workers[0]!.errors[0]!
      expect(e.name).toBe('session-limit')
      expect(Object.keys(e).sort()).toEqual(Object.keys(ERROR_KEYS).sort())
      expect(names(table(sectionTables, 'error field')).sort()).toEqual(Object.keys(e).sort())
    })

    it('names the backend and every feature this host reports', () => {
      const documented = section.flatMap((line) => codeSpans(line))
      for (const f of [info.backend, ...info.features]) expect(documented, `feature ${f}`).toContain(f)
    })
  })
})
