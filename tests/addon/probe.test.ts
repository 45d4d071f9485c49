// Attaching to a third-party server through the probe (native/probe/iocpm_probe.h): the real
// addon's probes() and ProbeReader against a real writer process (support/probe-counter.c, built
// here with gcc), its clean close and its SIGKILL, and hand-written bad segments in /dev/shm.
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeOpenError } from '../../src-main/addon/native-addon'
import { PACKED_FIELDS, type PackedSnapshot } from '../../src-main/addon/snapshot-decode'
import { addon, addonPath } from './support/addon'
import { PROBE_COUNTER, probeCounterWorker } from './support/probe-counter'

let dir = ''
let helper = ''
const started: ChildProcessWithoutNullStreams[] = []
const leftSegments = new Set<number>()

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iocpm-probe-test-'))
  helper = join(dir, 'probe-counter')
  execFileSync('gcc', ['-std=c99', '-O2', '-Wall', '-o', helper, join(__dirname, 'support/probe-counter.c')], { stdio: 'inherit' })
})

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

afterAll(() => {
  // A killed writer leaves its segment (that is what "exited" reads); remove ours.
  for (const pid of leftSegments) rmSync(`/dev/shm/iocpm-${pid}`, { force: true })
  rmSync(dir, { recursive: true, force: true })
})

/** Starts the helper and resolves once its counts are published. */
async function startWriter(name = 'probe-test'): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(helper, [name])
  started.push(child)
  leftSegments.add(child.pid!)
  const lines = createInterface({ input: child.stdout })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => l === 'ready' && resolve())
    child.once('exit', (code) => reject(new Error(`probe-counter exited with ${code} before ready`)))
  })
  return child
}

const exited = (c: ChildProcessWithoutNullStreams) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))

/** The packed counters as one record per worker. */
function workers(p: PackedSnapshot) {
  const out: Record<string, number>[] = []
  for (let o = 0; o < p.counters.length; o += PACKED_FIELDS.length) {
    out.push(Object.fromEntries(PACKED_FIELDS.map((f, i) => [f, p.counters[o + i]])))
  }
  return out
}

function expectCounterTotals(p: PackedSnapshot) {
  expect(workers(p)).toEqual([0, 1, 2].map(probeCounterWorker))
  expect(p.errors).toEqual([{ worker: 0, code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: PROBE_COUNTER.resetCount }])
}

function openError(pid: number): ProbeOpenError {
  try {
    new addon.ProbeReader(pid)
  } catch (e) {
    return e as ProbeOpenError
  }
  throw new Error(`new ProbeReader(${pid}) did not throw`)
}

/** A probe header (layout v1) for `workers` workers, as bytes a test then breaks. */
function segmentBytes(pid: number, workers: number, edit: (b: Buffer) => void = () => {}): Buffer {
  const b = Buffer.alloc(256 + 512 * workers)
  b.writeBigUInt64LE(0x4252504d50434f49n, 0) // magic "IOCPMPRB"
  b.writeUInt32LE(1, 8) // layout_version
  b.writeUInt32LE(256, 12)
  b.writeUInt32LE(512, 16)
  b.writeUInt32LE(workers, 20)
  b.writeBigUInt64LE(BigInt(b.length), 24)
  b.writeUInt32LE(pid, 32)
  b.writeUInt32LE(1, 36) // linux
  b.write('handmade\0', 48)
  b.writeUInt32LE(1, 116) // state running
  edit(b)
  return b
}

function writeSegment(pid: number, bytes: Buffer) {
  writeFileSync(`/dev/shm/iocpm-${pid}`, bytes, { mode: 0o600 })
  leftSegments.add(pid)
}

describe('probe reader (addon)', () => {
  it('probes() lists a running writer with its header', async () => {
    const child = await startWriter()
    const listing = addon.probes().find((p) => p.pid === child.pid)
    expect(listing).toBeDefined()
    expect(listing).toEqual({ pid: child.pid, name: 'probe-test', workers: 3, layoutVersion: 1, startMs: listing!.startMs, port: 4321, platform: 'linux', state: 'running' })
    expect(Math.abs(listing!.startMs - Date.now())).toBeLessThan(60_000)
  })

  it('ProbeReader reads the exact counters, errors named by the catalog; two readers both work', async () => {
    const child = await startWriter()
    const a = new addon.ProbeReader(child.pid!)
    const b = new addon.ProbeReader(child.pid!)
    const info = a.info()
    expect(info).toMatchObject({ pid: child.pid, name: 'probe-test', workers: 3, port: PROBE_COUNTER.port, state: 'running', badWorkerCalls: PROBE_COUNTER.badWorkerCalls })
    expect(info.exitReason).toBeUndefined()
    const snap = a.snapshotPacked()
    expect(snap.running).toBe(true)
    expect(snap.monoNs).toBeGreaterThan(0)
    expectCounterTotals(snap)
    expectCounterTotals(b.snapshotPacked())
    a.close()
    expect(() => a.snapshotPacked()).toThrow(/closed/)
    expect(() => a.info()).toThrow(/closed/)
    a.close() // twice is harmless
    expect(b.info().state).toBe('running')
    b.close()
  })

  it('a writer killed with SIGKILL reads as exited, with its final counters kept', async () => {
    const child = await startWriter()
    const r = new addon.ProbeReader(child.pid!)
    child.kill('SIGKILL')
    await exited(child)
    expect(r.info()).toMatchObject({ state: 'exited', exitReason: 'process-exited' })
    const snap = r.snapshotPacked()
    expect(snap.running).toBe(false)
    expectCounterTotals(snap)
    // Its segment stays behind, listed as exited.
    expect(addon.probes().find((p) => p.pid === child.pid)).toMatchObject({ state: 'exited', name: 'probe-test' })
    r.close()
  })

  it('a writer that closes its probe reads as exited (closed), and the name is gone', async () => {
    const child = await startWriter()
    const r = new addon.ProbeReader(child.pid!)
    child.stdin.write('stop\n')
    await exited(child)
    expect(child.exitCode).toBe(0)
    expect(r.info()).toMatchObject({ state: 'exited', exitReason: 'closed' })
    expect(r.snapshotPacked().running).toBe(false)
    expectCounterTotals(r.snapshotPacked())
    r.close()
    expect(addon.probes().find((p) => p.pid === child.pid)).toBeUndefined()
    const e = openError(child.pid!)
    expect(e.code).toBe('probe-not-found')
    expect(e.message).toBe(`no probe for pid ${child.pid}`)
  })

  it('bad segments are listed with their problem, and refused with the same code', () => {
    const cases = [
      { pid: 3999000301, code: 'probe-version', bytes: segmentBytes(3999000301, 2, (b) => b.writeUInt32LE(2, 8)), message: 'probe layout version 2; this monitor reads version 1' },
      { pid: 3999000302, code: 'probe-corrupt', bytes: segmentBytes(3999000302, 2, (b) => b.writeBigUInt64LE(7n, 0)), message: /magic is 0x0000000000000007/ },
      { pid: 3999000303, code: 'probe-corrupt', bytes: segmentBytes(3999000303, 4).subarray(0, 1000), message: /segment is 1000 bytes, smaller than the 2304 its header declares/ },
      { pid: 3999000304, code: 'probe-corrupt', bytes: segmentBytes(3999000304, 1, (b) => b.writeUInt32LE(0, 20)), message: /workers is 0/ },
    ]
    for (const c of cases) writeSegment(c.pid, c.bytes)
    const listed = addon.probes()
    for (const c of cases) {
      const l = listed.find((p) => p.pid === c.pid)
      expect(l, `pid ${c.pid} listed`).toBeDefined()
      expect(l!.problem?.code).toBe(c.code)
      expect(l!.problem?.message).toMatch(c.message)
      expect(l!.state).toBe('exited') // nothing holds a hand-written segment's lock
      const e = openError(c.pid)
      expect(e.code).toBe(c.code)
      expect(e.message).toMatch(c.message)
    }
    for (const c of cases) unlinkSync(`/dev/shm/iocpm-${c.pid}`)
  })

  it('a probe the monitor may not read: listed and refused as probe-permission with the native code', async () => {
    // The probe's segment is 0600. As root (CI) a monitor running as `nobody` meets a root-owned
    // writer; otherwise (root bypasses modes) a segment of ours with mode 000 stands in.
    if (process.getuid?.() === 0) {
      const child = await startWriter('probe-private')
      // A copy of the addon that `nobody` can load (the checkout may sit in a 0700 temp dir).
      const shared = mkdtempSync(join(tmpdir(), 'iocpm-probe-nobody-'))
      chmodSync(shared, 0o755)
      copyFileSync(addonPath, join(shared, 'addon.node'))
      chmodSync(join(shared, 'addon.node'), 0o755)
      const script = `const a = require(${JSON.stringify(join(shared, 'addon.node'))});
        const listed = a.probes().find((p) => p.pid === ${child.pid});
        let err = null; try { new a.ProbeReader(${child.pid}) } catch (e) { err = { code: e.code, nativeName: e.nativeName, nativeCode: e.nativeCode, message: e.message } }
        process.stdout.write(JSON.stringify({ listed, err }))`
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' })
      rmSync(shared, { recursive: true, force: true })
      expect(r.status, r.stderr).toBe(0)
      const { listed, err } = JSON.parse(r.stdout) as { listed: { problem?: { code: string; nativeName?: string } }; err: ProbeOpenError | null }
      expect(listed.problem).toMatchObject({ code: 'probe-permission', nativeName: 'EACCES' })
      expect(err).toMatchObject({ code: 'probe-permission', nativeName: 'EACCES', nativeCode: 13 })
      expect(err!.message).toMatch(/permission|EACCES/i)
    } else {
      writeSegment(process.pid, segmentBytes(process.pid, 1))
      chmodSync(`/dev/shm/iocpm-${process.pid}`, 0o000)
      expect(addon.probes().find((p) => p.pid === process.pid)?.problem).toMatchObject({ code: 'probe-permission', nativeName: 'EACCES' })
      expect(openError(process.pid)).toMatchObject({ code: 'probe-permission', nativeName: 'EACCES' })
      unlinkSync(`/dev/shm/iocpm-${process.pid}`)
    }
  })

  it('new ProbeReader() refuses what is not a pid', () => {
    for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) expect(openError(bad).code).toBe('invalid-argument')
    expect(openError('12' as unknown as number).code).toBe('invalid-argument')
  })
})
