#!/usr/bin/env node
// Start/stop stress: many start/stop cycles of the real engine with live connections (driven by
// the native load generator), measuring descriptors, threads and RSS before and after, and the
// time of every stop. Every 100th cycle holds 1,000 active connections when stop() is called.
//   node bench/stress.mjs [--cycles 1000]
// Exits 1 on a leak, a stop slower than 500 ms at 1,000 connections, or an echo mismatch.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const { Engine, LoadGenerator } = createRequire(import.meta.url)(join(here, '../native/build/Release/iocp_monitor.node'))
const argv = process.argv.slice(2)
const cycles = Number(argv[argv.indexOf('--cycles') + 1]) || 1000

const fds = () => readdirSync('/proc/self/fd').length
// io_uring's kernel io-wq workers (iou-wrk-*) come and go on the kernel's schedule: not ours.
const threads = () => readdirSync('/proc/self/task').filter((t) => { try { return !readFileSync(`/proc/self/task/${t}/comm`, 'utf8').startsWith('iou-') } catch { return false } }).length
const rssMiB = () => Number(readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) }) })
const sessions = (e) => e.snapshot().workers.reduce((a, w) => a + w.sessions, 0)

// One generator object for every cycle: the addon supports restarting it, and it keeps the
// measurement about the engine rather than about when V8 finalises wrapper objects.
const lg = new LoadGenerator()

async function cycle(engine, port, conns, backend) {
  await engine.start({ port, workers: 2, backend })
  const run = lg.start({ port, connections: conns, messageSize: 64, durationMs: 60000, threads: 1 })
  const deadline = Date.now() + 10000
  while (sessions(engine) < conns && Date.now() < deadline) await sleep(2)
  const live = sessions(engine)
  const t0 = process.hrtime.bigint()
  await engine.stop()
  const stopMs = Number(process.hrtime.bigint() - t0) / 1e6
  lg.stop()
  const summary = await run
  return { live, stopMs, mismatches: summary.mismatchedBytes }
}

const engine = new Engine()
const port = await freePort()
// Warm-up cycle so one-time allocations (thread stacks, allocator arenas) are in the baseline.
await cycle(engine, port, 10, 'auto')
global.gc?.()
const base = { fds: fds(), threads: threads(), rss: rssMiB() }
let worstBigStop = 0, worstStop = 0, mismatches = 0, short = 0
const started = Date.now()
for (let i = 1; i <= cycles; i++) {
  const big = i % 100 === 0
  const conns = big ? 1000 : 10
  const r = await cycle(engine, port, conns, i % 2 ? 'iouring' : 'epoll')
  if (r.live < conns) short++
  mismatches += r.mismatches
  worstStop = Math.max(worstStop, r.stopMs)
  if (big) {
    worstBigStop = Math.max(worstBigStop, r.stopMs)
    console.log(`cycle ${i}: stop with ${r.live} live connections took ${r.stopMs.toFixed(1)} ms; fds ${fds()} threads ${threads()} rss ${rssMiB().toFixed(1)} MiB`)
  }
}
await sleep(200)
global.gc?.()
const end = { fds: fds(), threads: threads(), rss: rssMiB() }
const seconds = (Date.now() - started) / 1000
console.log(`stress: ${cycles} start/stop cycles in ${seconds.toFixed(1)} s (alternating iouring/epoll); worst stop ${worstStop.toFixed(1)} ms, worst stop at 1,000 connections ${worstBigStop.toFixed(1)} ms`)
console.log(`baseline fds ${base.fds} threads ${base.threads} rss ${base.rss.toFixed(1)} MiB → after fds ${end.fds} threads ${end.threads} rss ${end.rss.toFixed(1)} MiB`)
const failures = []
if (end.fds !== base.fds) failures.push(`descriptors leaked: ${base.fds} → ${end.fds}`)
if (end.threads !== base.threads) failures.push(`threads leaked: ${base.threads} → ${end.threads}`)
if (end.rss > base.rss + 32) failures.push(`RSS grew by ${(end.rss - base.rss).toFixed(1)} MiB`)
if (worstBigStop >= 500) failures.push(`stop at 1,000 connections took ${worstBigStop.toFixed(1)} ms`)
if (mismatches) failures.push(`${mismatches} mismatched echo bytes`)
if (short) failures.push(`${short} cycles did not reach their connection count`)
for (const f of failures) console.log(`FAIL ${f}`)
console.log(`stress: ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`)
process.exit(failures.length ? 1 : 0)
