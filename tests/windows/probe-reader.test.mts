// The probe reader on Windows: the Windows build of the addon, in Windows Node under Wine, attached
// to a real writer process — tests/addon/support/probe-counter.c built with mingw-w64 by
// run-windows-node-tests.mjs (IOCPM_PROBE_COUNTER) and started here, so it shares this Wine
// prefix and its "Local\iocpm-<pid>" mapping is visible to us. The helper is driven by files
// (ready, stop): a child's pipes do not work for Windows Node under Wine.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, describe, it } from 'node:test'
import type { ProbeOpenError } from '../../src-main/addon/native-addon'
import type { PackedSnapshot } from '../../src-main/addon/snapshot-decode'
import { PROBE_COUNTER, probeCounterWorker } from '../addon/support/probe-counter.ts'

const require = createRequire(import.meta.url)
const { loadAddon } = require('../../dist-cli/src-main/addon/load-addon.js') as typeof import('../../src-main/addon/load-addon')
const { PACKED_FIELDS } = require('../../dist-cli/src-main/addon/snapshot-decode.js') as typeof import('../../src-main/addon/snapshot-decode')
const addon = loadAddon()

const exe = process.env.IOCPM_PROBE_COUNTER
const dir = mkdtempSync(join(tmpdir(), 'iocpm-probe-'))
const children: ChildProcess[] = []
let runs = 0

async function until(cond: () => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Starts the helper; resolves with it and its stop file once its counts are published. */
async function startWriter() {
  const n = ++runs
  const ready = join(dir, `ready-${n}`)
  const stop = join(dir, `stop-${n}`)
  const child = spawn(exe!, ['probe-test', ready, stop], { stdio: 'ignore' })
  children.push(child)
  let exitCode: number | null = null
  child.on('exit', (code) => (exitCode = code ?? -1))
  await until(() => existsSync(ready) || exitCode !== null, 'probe-counter to be ready')
  assert.equal(exitCode, null, `probe-counter exited with ${exitCode} before ready`)
  const exited = new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)))
  return { child, pid: child.pid!, stop: () => writeFileSync(stop, 'stop'), exited }
}

function workers(p: PackedSnapshot) {
  const out: Record<string, number>[] = []
  for (let o = 0; o < p.counters.length; o += PACKED_FIELDS.length) out.push(Object.fromEntries(PACKED_FIELDS.map((f, i) => [f, p.counters[o + i]!])))
  return out
}

function assertCounterTotals(p: PackedSnapshot) {
  assert.deepEqual(workers(p), [0, 1, 2].map(probeCounterWorker))
  assert.deepEqual(p.errors, [{ worker: 0, code: 10054, nativeName: 'WSAECONNRESET', name: 'connection-reset', count: PROBE_COUNTER.resetCount }])
}

describe('probe reader on Windows Node', { skip: exe ? false : 'IOCPM_PROBE_COUNTER not set: run through tests/windows/run-windows-node-tests.mjs' }, () => {
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill()
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('lists the writer and reads its exact counters; two readers both work', async () => {
    const w = await startWriter()
    const listing = addon.probes().find((p) => p.pid === w.pid)
    assert.ok(listing, `pid ${w.pid} in ${JSON.stringify(addon.probes())}`)
    assert.deepEqual({ ...listing, startMs: 0 }, { pid: w.pid, name: 'probe-test', workers: 3, layoutVersion: 1, startMs: 0, port: PROBE_COUNTER.port, platform: 'windows', state: 'running' })
    assert.ok(Math.abs(listing.startMs - Date.now()) < 60_000, `startMs ${listing.startMs}`)
    const a = new addon.ProbeReader(w.pid)
    const b = new addon.ProbeReader(w.pid)
    const info = a.info()
    assert.equal(info.state, 'running')
    assert.equal(info.badWorkerCalls, PROBE_COUNTER.badWorkerCalls)
    assert.equal(info.exitReason, undefined)
    const snap = a.snapshotPacked()
    assert.equal(snap.running, true)
    assertCounterTotals(snap)
    assertCounterTotals(b.snapshotPacked())
    a.close()
    assert.throws(() => a.info(), /closed/)
    b.close()
  })

  it('a writer that is killed reads as exited (process-exited), its final counters kept', async () => {
    const w = await startWriter()
    const r = new addon.ProbeReader(w.pid)
    w.child.kill() // TerminateProcess: no iocpm_probe_close
    await w.exited
    const info = r.info()
    assert.equal(info.state, 'exited')
    assert.equal(info.exitReason, 'process-exited')
    const snap = r.snapshotPacked()
    assert.equal(snap.running, false)
    assertCounterTotals(snap)
    r.close()
  })

  it('a writer that closes its probe reads as exited (closed); then the name is gone', async () => {
    const w = await startWriter()
    const r = new addon.ProbeReader(w.pid)
    w.stop()
    assert.equal(await w.exited, 0)
    assert.equal(r.info().exitReason, 'closed')
    assert.equal(r.snapshotPacked().running, false)
    assertCounterTotals(r.snapshotPacked())
    r.close() // the last handle: the mapping and its name go
    let err: ProbeOpenError | undefined
    try {
      new addon.ProbeReader(w.pid)
    } catch (e) {
      err = e as ProbeOpenError
    }
    assert.equal(err?.code, 'probe-not-found')
    assert.equal(err?.message, `no probe for pid ${w.pid}`)
  })
})
