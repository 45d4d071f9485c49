#!/usr/bin/env node
// Sampler cost: the real main-process path (engine.snapshot() → computeTick → history ring →
// JSON serialisation as for one batched IPC message) at 100 Hz for 1, 8 and 64 workers, with
// traffic flowing. Reports µs per tick and the share of one core it uses.
//   node bench/sampler-cost.mjs [--seconds 5]
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './proc.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const { Engine, LoadGenerator } = require(join(here, '../native/build/Release/iocp_monitor.node'))
const { Sampler } = require(join(here, '../dist-cli/src-main/service/sampler.js'))
const { History } = require(join(here, '../dist-cli/src-main/service/history.js'))
const { readSnapshot } = require(join(here, '../dist-cli/src-main/addon/snapshot-decode.js'))
const argv = process.argv.slice(2)
const seconds = Number(argv[argv.indexOf('--seconds') + 1]) || 5

const rows = []
for (const workers of [1, 8, 64]) {
  const engine = new Engine()
  const port = await freePort()
  await engine.start({ port, workers })
  const lg = new LoadGenerator()
  const run = lg.start({ port, connections: 128, messageSize: 128, durationMs: seconds * 1000 + 500, threads: 1, rate: 20000 })
  const history = new History()
  let ticks = 0, busyNs = 0n, bytes = 0
  const sampler = new Sampler({
    hz: 100,
    snapshot: () => readSnapshot(engine),
    onTick: (t) => { history.push(t); bytes += JSON.stringify(t).length },
  })
  // Time each sample from snapshot to serialised message.
  const orig = sampler.sampleNow.bind(sampler)
  sampler.sampleNow = () => { const t0 = process.hrtime.bigint(); const r = orig(); busyNs += process.hrtime.bigint() - t0; ticks++; return r }
  const cpu0 = process.cpuUsage()
  sampler.start()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  sampler.stop()
  const cpu = process.cpuUsage(cpu0)
  lg.stop()
  await run
  await engine.stop()
  const usPerTick = Number(busyNs) / 1000 / ticks
  rows.push({ workers, hz: 100, ticks, usPerTick, corePct: (usPerTick * 100) / 1e4, bytesPerTick: bytes / ticks, processCpuPct: ((cpu.user + cpu.system) / 1e6 / seconds) * 100 })
  console.log(`sampler at 100 Hz, ${String(workers).padStart(2)} workers: ${usPerTick.toFixed(1)} µs per tick (${((usPerTick * 100) / 1e4).toFixed(2)} % of one core), ${Math.round(bytes / ticks)} bytes per IPC message, ${ticks} ticks`)
}
const r64 = rows.find((r) => r.workers === 64), r1 = rows.find((r) => r.workers === 1)
console.log(`cost per worker per tick: ${((r64.usPerTick - r1.usPerTick) / 63).toFixed(2)} µs (linear in workers, one message per tick)`)
