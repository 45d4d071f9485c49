#!/usr/bin/env node
// Soak: the engine (in its own process, 2 workers) under mixed load and the full fault mix for N
// minutes, in rounds of the native load generator. After every round it records the server's
// descriptors, threads, RSS and sessions; it fails if any of them keeps growing, if any echo
// mismatched, or if the server process dies.
//   npm run soak -- --minutes 2        (CI runs the 2-minute version)
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const { LoadGenerator } = createRequire(import.meta.url)(join(here, '../native/build/Release/iocp_monitor.node'))
const argv = process.argv.slice(2)
const minutes = Number(argv[argv.indexOf('--minutes') + 1]) || 2
const backend = argv.includes('--epoll') ? 'epoll' : 'iouring'
const ROUND_MS = 15000

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) }) })
const port = await freePort()
const server = spawn(process.execPath, [join(here, 'server-host.cjs'), 'engine', '--backend', backend, '--workers', '2', '--port', String(port), '--sample-hz', '10'], { stdio: ['pipe', 'pipe', 'inherit'] })
let died = null
server.on('exit', (code, signal) => { died = `server exited (code ${code}, signal ${signal})` })
const lines = createInterface({ input: server.stdout })
const nextLine = () => new Promise((resolve) => lines.once('line', resolve))
if ((await nextLine()) !== 'ready') throw new Error('server did not start')
const snapshot = async () => { server.stdin.write('snapshot\n'); return JSON.parse(await nextLine()) }

const pid = server.pid
const proc = () => ({
  fds: readdirSync(`/proc/${pid}/fd`).length,
  threads: readdirSync(`/proc/${pid}/task`).filter((t) => { try { return !readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').startsWith('iou-') } catch { return false } }).length,
  rssMiB: Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024,
})
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const lg = new LoadGenerator()
const samples = []
let mismatches = 0, echoed = 0, round = 0
const end = Date.now() + minutes * 60000
console.log(`soak: ${minutes} min against ${backend} (2 workers) on 127.0.0.1:${port}, rounds of ${ROUND_MS / 1000} s with the full fault mix`)
while (Date.now() < end && !died) {
  round++
  const r = await lg.start({
    port, connections: 200, messageSize: round % 2 ? 128 : 4096, durationMs: Math.min(ROUND_MS, Math.max(1000, end - Date.now())), pipeline: 2, rampUpMs: 1000,
    faults: { reset: 5, halfclose: 5, slow: 2, trickle: 2, garbage: 2, vanish: 5, storm: 1 },
  })
  mismatches += r.mismatchedBytes
  echoed += r.msgsEchoed
  // The generator closed everything (slow readers with RST): sessions drain back to zero.
  let snap = await snapshot()
  for (let i = 0; i < 100 && snap.workers.reduce((a, w) => a + w.sessions, 0) > 0; i++) { await sleep(50); snap = await snapshot() }
  const s = { round, ...proc(), sessions: snap.workers.reduce((a, w) => a + w.sessions, 0), errors: Object.fromEntries(snap.workers.flatMap((w) => w.errors).map((e) => [e.name, e.count])) }
  samples.push(s)
  console.log(`round ${round}: ${r.msgsEchoed} echoes verified (${(r.msgsEchoed / (r.elapsedMs / 1000)).toFixed(0)}/s), mismatched bytes ${r.mismatchedBytes}, faults ${JSON.stringify(r.faultsInjected)}; server fds ${s.fds} threads ${s.threads} rss ${s.rssMiB.toFixed(1)} MiB sessions ${s.sessions}`)
}

const failures = []
if (died) failures.push(died)
if (mismatches) failures.push(`${mismatches} mismatched echo bytes`)
if (samples.length >= 2) {
  const first = samples[0], last = samples[samples.length - 1]
  if (last.fds > first.fds) failures.push(`descriptors grew ${first.fds} → ${last.fds}`)
  if (last.threads > first.threads) failures.push(`threads grew ${first.threads} → ${last.threads}`)
  if (last.sessions !== 0) failures.push(`${last.sessions} sessions still open after the load stopped`)
  // RSS settles after the first rounds (allocator arenas, history ring filling at 10 Hz);
  // growth beyond a fixed allowance means something is unbounded.
  if (last.rssMiB > first.rssMiB + 64) failures.push(`RSS grew ${first.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB`)
} else failures.push('too few rounds to judge growth')
if (!died) server.stdin.end()
for (const f of failures) console.log(`FAIL ${f}`)
console.log(`soak: ${samples.length} rounds, ${echoed} echoes verified; ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`)
process.exit(failures.length ? 1 : 0)
