#!/usr/bin/env node
// Usage: node bench/probe-overhead.mjs [--rounds 5] [--seconds 3] [--conns 50] [--size 128] [--workers 1] [--no-pin]
//
// What the IOCP Monitor probe costs a real server: examples/epoll-echo-server built with the probe
// and with -DIOCPM_NO_PROBE (every probe call compiled out), both served the same load from the
// project's native load generator (which verifies every echoed byte), in interleaved rounds — the
// order alternates each round, so drift on a noisy machine hits both alike. Reports the median
// msgs/s and server CPU per message (utime+stime of the server from /proc/<pid>/stat, over the
// messages echoed), and the probe/no-probe ratios taken within each round, then their median.
// Every run must echo exactly (0 mismatched bytes, bytes received == bytes sent), and in the probe
// build the probe's receive/send byte counters must equal what the generator sent/received.
// Standalone: not part of `npm test`; builds the example if needed (npm run build:examples).
//
// Pinned like bench/run.mjs when there are 2+ CPUs and taskset: the generator (this process) on
// CPU 0, the server on CPU 1.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuMicros } from './proc.mjs'
import { buildEpollExample } from '../examples/build.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const num = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt)
const ROUNDS = num('--rounds', 5)
const SECONDS = num('--seconds', 3)
const CONNS = num('--conns', 50)
const SIZE = num('--size', 128)
const WORKERS = num('--workers', 1)

const haveTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0
const pin = !argv.includes('--no-pin') && cpus().length >= 2 && haveTaskset
if (pin && process.env.IOCPM_BENCH_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit', env: { ...process.env, IOCPM_BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}

const addonPath = join(here, '../native/build/Release/iocp_monitor.node')
if (!existsSync(addonPath)) {
  console.error('probe-overhead: native/build/Release/iocp_monitor.node is missing: run `npm run build:native` first')
  process.exit(1)
}
const { LoadGenerator } = createRequire(import.meta.url)(addonPath)
const built = buildEpollExample()
const VARIANTS = [
  { name: 'probe', binary: built.epoll },
  { name: 'no-probe', binary: built.epollNoProbe },
]

/** Sum of the probe's recv_bytes and send_bytes over all workers (layout v1). */
function probeBytes(pid) {
  const b = readFileSync(`/dev/shm/iocpm-${pid}`)
  let recv = 0
  let sent = 0
  for (let w = 0; w < b.readUInt32LE(20); w++) {
    recv += Number(b.readBigUInt64LE(256 + 512 * w + 16))
    sent += Number(b.readBigUInt64LE(256 + 512 * w + 32))
  }
  return { recv, sent }
}

async function startServer(binary) {
  const args = ['--port', '0', '--workers', String(WORKERS), '--name', 'probe-bench']
  const child = pin ? spawn('taskset', ['-c', '1', binary, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }) : spawn(binary, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  const port = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d
      const m = out.match(/^listening 127\.0\.0\.1:(\d+)$/m)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code} before listening`)))
  })
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  // taskset execs the server, so the child's pid is the server's.
  return { pid: child.pid, port, stop: () => (child.kill('SIGTERM'), exited) }
}

async function measure(variant) {
  const server = await startServer(variant.binary)
  const cpu0 = cpuMicros(server.pid)
  const s = await new LoadGenerator().start({ port: server.port, connections: CONNS, messageSize: SIZE, durationMs: SECONDS * 1000, threads: 1, rampUpMs: 0 })
  await new Promise((r) => setTimeout(r, 200)) // the last FINs reach the server
  const cpu1 = cpuMicros(server.pid)
  const counted = variant.name === 'probe' ? probeBytes(server.pid) : null
  const code = await server.stop()
  const exact = s.mismatchedBytes === 0 && s.bytesReceived === s.bytesSent && s.connectsFailed === 0
  const probeExact = !counted || (counted.recv === s.bytesSent && counted.sent === s.bytesReceived)
  if (!exact || !probeExact || code !== 0) {
    throw new Error(`${variant.name}: mismatched ${s.mismatchedBytes} B, sent ${s.bytesSent}, received ${s.bytesReceived}, connects failed ${s.connectsFailed}` +
      (counted ? `, probe recv ${counted.recv} sent ${counted.sent}` : '') + `, server exit ${code}`)
  }
  return { msgsPerS: s.msgsEchoed / (s.elapsedMs / 1000), cpuUsPerMsg: (cpu1 - cpu0) / s.msgsEchoed, msgs: s.msgsEchoed }
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y)
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2
}

console.log(`probe-overhead: ${ROUNDS} rounds × ${SECONDS} s per variant, ${CONNS} connections, ${SIZE} B echo, ${WORKERS} worker(s); ${pin ? 'generator on CPU 0, server on CPU 1' : 'unpinned'}`)
const runs = Object.fromEntries(VARIANTS.map((v) => [v.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? [...VARIANTS].reverse() : VARIANTS
  for (const v of order) {
    const r = await measure(v)
    runs[v.name].push(r)
    console.log(`round ${round + 1}  ${v.name.padEnd(8)}  ${r.msgsPerS.toFixed(0).padStart(8)} msgs/s  ${r.cpuUsPerMsg.toFixed(3)} µs CPU/msg  (${r.msgs} msgs, echo verified${v.name === 'probe' ? ', probe bytes exact' : ''})`)
  }
}

const rows = VARIANTS.map((v) => {
  const all = runs[v.name]
  return { name: v.name, msgs: median(all.map((r) => r.msgsPerS)), lo: Math.min(...all.map((r) => r.msgsPerS)), hi: Math.max(...all.map((r) => r.msgsPerS)), cpu: median(all.map((r) => r.cpuUsPerMsg)) }
})
const paired = (key) => median(runs.probe.map((r, i) => r[key] / runs['no-probe'][i][key]))
console.log('')
console.log('| variant  | msgs/s (median) | range            | server CPU µs/msg (median) |')
console.log('|----------|----------------:|------------------|---------------------------:|')
for (const r of rows) console.log(`| ${r.name.padEnd(8)} | ${r.msgs.toFixed(0).padStart(15)} | ${`${r.lo.toFixed(0)}–${r.hi.toFixed(0)}`.padEnd(16)} | ${r.cpu.toFixed(3).padStart(26)} |`)
console.log('')
console.log(`probe / no-probe (median of per-round ratios): msgs/s ×${paired('msgsPerS').toFixed(3)}, CPU per message ×${paired('cpuUsPerMsg').toFixed(3)}`)
console.log(`every run: 0 mismatched bytes, bytes received == bytes sent; probe byte counters == generator's`)
