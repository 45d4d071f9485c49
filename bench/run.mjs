#!/usr/bin/env node
// `npm run bench`: every backend, the Node `net` echo baseline and two C reference servers
// (frevib's epoll and io_uring echo servers, from ../shared/peers when present), measured side by
// side in one run with the project's native load generator (which verifies every echoed byte); and
// the generator itself against a minimal C ping-pong client (bench/pingpong_client.c) on the
// same server. Ratios are to the epoll peer (the bar), else to Node.
//   --seconds N   per measurement (default 3)     --full   adds 5,000 connections
//   --rounds N    measurements per point (default 3; the median is reported)
//   --no-pin      let the scheduler place generator and servers (default: pinned, see below)
//   --quick       one short pass (for a smoke check)
//   --only A,B    only these subjects (names as in the table; for A/B checks while optimising),
//                 without the monitoring-overhead and session-table sections
//   --conns 50,500  --sizes 128   the points measured
//   --no-probe-overhead  skips the probe's overhead table (bench/probe-overhead.mjs)
//   --profile     only the perf profile of each server and the generator (bench/profile.mjs)
//   --scale       only the connection-scale run (bench/scale.mjs: 100,000 idle connections)
//   --sessions-only  only the session-table cost (10,000 live sessions, table at 2 Hz vs off)
//   --baseline P  also measures the engine of another build of the addon (P: its .node file, e.g.
//                 built from an earlier commit) in the same rounds, and reports this build's
//                 msgs/s and CPU/msg as ratios to it: the regression check for a refactor
// Writes bench/results/<date>.md and .json and prints the table.
//
// Why pinned: on a 2-core box an unpinned server and generator keep migrating and sometimes
// share a core, which moved single results by ±20 %. Pinned, each side owns one core: the
// generator (this process) CPU 0, the server under test CPU 1 — the same for every server.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildReferences } from './c-references.mjs'
import { cpuMicros, freePort, threadCpuMicros, waitListening } from './proc.mjs'
import { buildEpollExample } from '../examples/build.mjs'
import { throughputSvg } from './plot.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const { LoadGenerator } = require(join(here, '../native/build/Release/iocp_monitor.node'))

const argv = process.argv.slice(2)
if (argv.includes('--profile')) {
  await import('./profile.mjs')
  process.exit(process.exitCode ?? 0)
}
if (argv.includes('--scale')) {
  await import('./scale.mjs')
  process.exit(process.exitCode ?? 0)
}
const quick = argv.includes('--quick')
const full = argv.includes('--full')
const numArg = (name) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : NaN)
const seconds = numArg('--seconds') || (quick ? 1 : 3)
const ROUNDS = numArg('--rounds') || (quick ? 1 : 3)
const cpuCount = (await import('node:os')).cpus().length
const haveTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0
const pin = !argv.includes('--no-pin') && cpuCount >= 2 && haveTaskset
if (pin && process.env.IOCPM_BENCH_PINNED !== '1') {
  // Re-run this script on CPU 0 (the generator's threads inherit the affinity).
  const r = spawnSync('taskset', ['-c', '0', process.execPath, fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit', env: { ...process.env, IOCPM_BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}
const placement = pin ? 'generator pinned to CPU 0, server to CPU 1' : `unpinned (${cpuCount < 2 ? 'one CPU' : haveTaskset ? '--no-pin' : 'no taskset'})`
const listArg = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1].split(',') : null)
const only = listArg('--only')
const CONNS = listArg('--conns')?.map(Number) ?? (quick ? [50] : full ? [1, 50, 500, 5000] : [1, 50, 500])
const SIZES = listArg('--sizes')?.map(Number) ?? (quick ? [128] : [128, 4096])
const baseline = argv.includes('--baseline') ? resolvePath(argv[argv.indexOf('--baseline') + 1] ?? '') : null
const ENGINES = ['iouring', 'epoll']
const refs = buildReferences()
// The probe's epoll example built without the probe (examples/epoll-echo-server): a third C
// reference, level-triggered epoll like the frevib peer but with TCP_NODELAY and a send queue.
let exampleBin = null
try {
  exampleBin = buildEpollExample({ log: () => {} }).epollNoProbe
} catch (e) {
  console.log(`bench: skipping example-epoll: ${e.message}`)
}
const skipped = Object.entries(refs).filter(([, r]) => r.skip).map(([k, r]) => `${k}: ${r.skip}`)
for (const s of skipped) console.log(`bench: skipping ${s}`)
// Each subject is a server and the client that loads it: the project's generator ('loadgen'), or
// the minimal C client ('pingpong') against the io_uring engine, to measure the generator itself.
const SERVERS = [
  ...ENGINES.map((b) => ({ name: b, args: ['engine', '--backend', b, '--workers', '1'] })),
  ...(refs.peerEpoll.bin ? [{ name: 'peer-epoll', exec: refs.peerEpoll.bin }] : []),
  ...(refs.peerIouring.bin ? [{ name: 'peer-iouring', exec: refs.peerIouring.bin }] : []),
  ...(exampleBin ? [{ name: 'example-epoll', exec: exampleBin, execArgs: (port) => ['--port', String(port), '--workers', '1'] }] : []),
  { name: 'node-net', args: ['node'] },
  ...(refs.pingpong.bin ? [{ name: 'iouring+pingpong-c', args: ['engine', '--backend', 'iouring', '--workers', '1'], client: 'pingpong', bar: 'peer-epoll+pingpong-c' }] : []),
  // The bar under the C client too: how the server ratios look with a client that is not ours.
  ...(refs.pingpong.bin && refs.peerEpoll.bin ? [{ name: 'peer-epoll+pingpong-c', exec: refs.peerEpoll.bin, client: 'pingpong', bar: 'peer-epoll+pingpong-c' }] : []),
  // The generator's other Linux socket layer on the same server (what its io_uring layer gained),
  // and the bar under that client too.
  ...(process.platform === 'linux' ? [{ name: 'iouring+gen-epoll', args: ['engine', '--backend', 'iouring', '--workers', '1'], client: 'loadgen', io: 'epoll', bar: 'peer-epoll+gen-epoll' }] : []),
  ...(process.platform === 'linux' && refs.peerEpoll.bin ? [{ name: 'peer-epoll+gen-epoll', exec: refs.peerEpoll.bin, client: 'loadgen', io: 'epoll', bar: 'peer-epoll+gen-epoll' }] : []),
  ...(baseline ? ENGINES.map((b) => ({ name: `${b}@base`, args: ['engine', '--backend', b, '--workers', '1', '--addon', baseline] })) : []),
]
if (only) SERVERS.splice(0, SERVERS.length, ...SERVERS.filter((s) => only.includes(s.name)))
const BAR = refs.peerEpoll.bin ? 'peer-epoll' : 'node-net'

function rssMiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return m ? Number(m[1]) / 1024 : 0
}

async function startServer(spec, extra = []) {
  const port = await freePort()
  if (spec.exec) {
    const args = spec.execArgs ? spec.execArgs(port) : [String(port)]
    const child = pin ? spawn('taskset', ['-c', '1', spec.exec, ...args], { stdio: 'ignore' }) : spawn(spec.exec, args, { stdio: 'ignore' })
    await waitListening(port, child)
    return { port, pid: child.pid, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') }) }
  }
  const host = [join(here, 'server-host.cjs'), ...spec.args, '--port', String(port), ...extra]
  const child = pin
    ? spawn('taskset', ['-c', '1', process.execPath, ...host], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, host, { stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => (String(d).startsWith('ready') ? resolve() : reject(new Error(String(d)))))
    child.once('exit', (code) => reject(new Error(`${spec.name} server exited with ${code}`)))
  })
  return {
    port,
    pid: child.pid,
    stop: () => new Promise((resolve) => { child.once('exit', resolve); child.stdin.end() }),
  }
}

/** The minimal C client's run, shaped like the generator's summary (it checks lengths only). */
function pingpongRun(port, conns, size, secs) {
  return new Promise((resolve, reject) => {
    const child = spawn(refs.pingpong.bin, ['127.0.0.1', String(port), String(conns), String(size), String(secs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`pingpong_client exited with ${code}`))
      const r = JSON.parse(out)
      const bytes = r.msgs * size
      resolve({ clientCpuUs: r.cpuUs, msgsEchoed: r.msgs, bytesReceived: bytes, bytesSent: bytes, elapsedMs: r.elapsedS * 1000, mismatchedBytes: 0, connectsFailed: r.connectsFailed + r.errors, latency: { p50Us: NaN, p99Us: NaN } })
    })
  })
}

async function measure(server, conns, size, secs, client = 'loadgen', io = 'auto') {
  const lg = new LoadGenerator()
  const cpu0 = cpuMicros(server.pid)
  const main0 = threadCpuMicros(server.pid, server.pid) // the JS thread: where the sampler runs
  const gen0 = cpuMicros(process.pid) // the generator's threads run in this otherwise idle process
  const s = client === 'pingpong'
    ? await pingpongRun(server.port, conns, size, secs)
    : await lg.start({ port: server.port, connections: conns, messageSize: size, durationMs: secs * 1000, threads: 1, io, rampUpMs: conns > 1000 ? 1000 : 0 })
  const cpu1 = cpuMicros(server.pid)
  const clientCpuUs = s.clientCpuUs ?? cpuMicros(process.pid) - gen0
  const main1 = threadCpuMicros(server.pid, server.pid)
  const elapsed = s.elapsedMs / 1000
  return {
    conns,
    size,
    msgsPerS: s.msgsEchoed / elapsed,
    mbPerS: s.bytesReceived / elapsed / 1e6,
    p50Us: s.latency.p50Us,
    p99Us: s.latency.p99Us,
    cpuUsPerMsg: s.msgsEchoed ? (cpu1 - cpu0) / s.msgsEchoed : NaN,
    clientCpuUsPerMsg: s.msgsEchoed ? clientCpuUs / s.msgsEchoed : NaN,
    serverCpuUs: cpu1 - cpu0,
    mainThreadCpuUs: main1 - main0,
    elapsedS: elapsed,
    rssMiB: rssMiB(server.pid),
    verified: s.mismatchedBytes === 0 && s.bytesReceived === s.bytesSent && s.connectsFailed === 0,
    corrupt: s.mismatchedBytes > 0,
    mismatchedBytes: s.mismatchedBytes,
    missingBytes: s.bytesSent - s.bytesReceived,
    echoes: s.msgsEchoed,
    generatorIo: s.io ?? 'c-client',
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
/** The median of the finite values (NaN: none), for ratios some rounds cannot give. */
const medianFinite = (xs) => {
  const f = xs.filter(Number.isFinite)
  return f.length ? median(f) : NaN
}
/** How a run's echoes checked out: corruption and lost echoes are reported, never as speed. */
const check = (r) => (r.mismatchedBytes > 0 ? `CORRUPT ${r.mismatchedBytes} B` : r.missingBytes > 0 ? `${r.missingBytes} B never echoed` : r.echoes === 0 ? 'no echo' : r.verified ? 'verified' : 'connect errors')
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—')
const results = []
const sessionsOnly = argv.includes('--sessions-only')
console.log(`bench: ${seconds} s per point × ${ROUNDS} rounds, connections ${CONNS.join('/')}, sizes ${SIZES.join('/')} B; one worker per engine (Node is single-threaded), one generator thread; ${placement}`)
for (const conns of sessionsOnly ? [] : CONNS) {
  for (const size of SIZES) {
    // Servers are measured back to back within each round, so drift on a noisy box hits all alike.
    const runs = Object.fromEntries(SERVERS.map((s) => [s.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const spec of SERVERS) {
        const server = await startServer(spec)
        const r = await measure(server, conns, size, seconds, spec.client, spec.io)
        await server.stop()
        runs[spec.name].push(r)
        console.log(`${spec.name.padEnd(18)} conns=${String(conns).padStart(4)} size=${String(size).padStart(4)}  ${r.msgsPerS.toFixed(0).padStart(8)} msg/s  ${r.mbPerS.toFixed(1).padStart(7)} MB/s  p50 ${r.p50Us.toFixed(0)} µs  p99 ${r.p99Us.toFixed(0)} µs  cpu ${r.cpuUsPerMsg.toFixed(2)} µs/msg  ${check(r)}`)
      }
    }
    // The reported row is the run with the median msgs/s (so its columns belong together); the
    // range shows the spread, and "verified" must hold for every run. The ratios to Node are
    // taken within each round (runs seconds apart see the same machine) and the median of those
    // is reported: on this box the machine itself drifts by more than the effects measured.
    const node = runs['node-net'] ?? runs[SERVERS[0].name]
    for (const spec of SERVERS) {
      // Each server against the bar loaded by the same client (the C client's subjects against the
      // peer under the C client), so a ratio never mixes two clients.
      // (A subject whose own bar was left out of the run gets no × bar columns.)
      const bar = spec.bar ? runs[spec.bar] : runs[BAR] ?? node
      const all = runs[spec.name]
      const mid = median(all.map((r) => r.msgsPerS))
      const row = all.find((r) => r.msgsPerS === mid)
      const lo = Math.min(...all.map((r) => r.msgsPerS))
      const hi = Math.max(...all.map((r) => r.msgsPerS))
      const ratioMsgs = median(all.map((r, i) => r.msgsPerS / node[i].msgsPerS))
      const ratioCpu = median(all.map((r, i) => r.cpuUsPerMsg / node[i].cpuUsPerMsg))
      // A corrupting server's rate is not speed: its ratios are left out.
      const valid = (i) => !!bar && !all[i].corrupt && !bar[i].corrupt
      const vsBar = { msgs: medianFinite(all.map((r, i) => (valid(i) ? r.msgsPerS / bar[i].msgsPerS : NaN))), cpu: medianFinite(all.map((r, i) => (valid(i) ? r.cpuUsPerMsg / bar[i].cpuUsPerMsg : NaN))) }
      // The generator against the C client on the same server: this round's iouring run.
      // On a shared box the client's CPU per message is the steadier measure of its own cost.
      const cRuns = runs['iouring+pingpong-c']
      const vsC = (spec.name === 'iouring' || spec.name === 'iouring+gen-epoll') && cRuns ? { msgs: median(all.map((r, i) => r.msgsPerS / cRuns[i].msgsPerS)), cpu: median(all.map((r, i) => r.clientCpuUsPerMsg / cRuns[i].clientCpuUsPerMsg)), genCpu: median(all.map((r) => r.clientCpuUsPerMsg)), cCpu: median(cRuns.map((r) => r.clientCpuUsPerMsg)) } : null
      // Against the baseline build: the same backend's rounds, paired as for Node.
      const base = runs[`${spec.name}@base`]
      const vsBase = base ? { msgs: median(all.map((r, i) => r.msgsPerS / base[i].msgsPerS)), cpu: median(all.map((r, i) => r.cpuUsPerMsg / base[i].cpuUsPerMsg)) } : null
      results.push({ server: spec.name, exec: !!spec.exec, ...row, minMsgsPerS: lo, maxMsgsPerS: hi, ratioMsgs, ratioCpu, vsBar, vsC, vsBase, corrupt: all.some((r) => r.corrupt), mismatchedBytes: all.reduce((a, r) => a + r.mismatchedBytes, 0), echoes: all.reduce((a, r) => a + r.echoes, 0), rounds: all.length, runs: all, verified: all.every((r) => r.verified) })
    }
  }
}

// Monitoring overhead: the same server with the main-process sampler at 10 Hz vs off, run as
// back-to-back pairs so each pair sees the same machine; the estimate is the median of the pairs'
// differences (adjacent runs on this box still differ by several per cent, so single pairs are
// noisy). The sampler's own cost is also measured directly: the extra CPU time of the server's JS
// thread, where the sampler runs, read from the scheduler's nanosecond counter.
/**
 * One back-to-back pair: the same server with `flag` off and on, measured alike; returns what the
 * switch changed (throughput, and the JS thread's extra CPU per second, where the sampler and the
 * session table run).
 */
async function onOffPair(flag, on, conns, secs) {
  const off = await measureWith([flag, '0'], conns, secs)
  const onRun = await measureWith([flag, String(on)], conns, secs)
  return {
    off,
    on: onRun,
    changePct: ((onRun.msgsPerS - off.msgsPerS) / off.msgsPerS) * 100,
    jsMsPerS: (onRun.mainThreadCpuUs / onRun.elapsedS - off.mainThreadCpuUs / off.elapsedS) / 1000,
  }
}
async function measureWith(extra, conns, secs) {
  const server = await startServer(SERVERS[0], extra)
  const r = await measure(server, conns, 128, secs)
  await server.stop()
  return r
}

const overhead = []
for (let i = 0; i < (sessionsOnly || only ? 0 : ROUNDS); i++) {
  const p = await onOffPair('--sample-hz', 10, 50, seconds)
  overhead.push({
    offMsgsPerS: p.off.msgsPerS,
    onMsgsPerS: p.on.msgsPerS,
    throughputLossPct: -p.changePct,
    samplerMsPerS: p.jsMsPerS,
    samplerCpuSharePct: ((p.on.mainThreadCpuUs - (p.off.mainThreadCpuUs * p.on.elapsedS) / p.off.elapsedS) / p.on.serverCpuUs) * 100,
  })
}
// Session table cost: 10,000 live sessions echoing, the same server with the table asked for at
// the Sessions tab's 2 Hz vs not, as back-to-back pairs; plus the JS thread's extra CPU, where the
// table is built (one pass over the sessions under each worker's directory lock).
const SESSION_CONNS = quick ? 1000 : 10000
const sessionPairs = []
for (let i = 0; i < (only ? 0 : ROUNDS); i++) {
  const p = await onOffPair('--sessions-hz', 2, SESSION_CONNS, Math.max(seconds, 3))
  sessionPairs.push({ offMsgsPerS: p.off.msgsPerS, onMsgsPerS: p.on.msgsPerS, changePct: p.changePct, tableMsPerS: p.jsMsPerS, verified: p.off.verified && p.on.verified })
  console.log(`sessions ${SESSION_CONNS} conns: table off ${p.off.msgsPerS.toFixed(0)} msg/s, at 2 Hz ${p.on.msgsPerS.toFixed(0)} msg/s (${signedPct(p.changePct)}), table CPU ${p.jsMsPerS.toFixed(2)} ms/s`)
}
const sessionChangePct = median(sessionPairs.map((p) => p.changePct))
const sessionTableMsPerS = median(sessionPairs.map((p) => p.tableMsPerS))
function signedPct(x) {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)} %`
}
if (sessionsOnly) {
  console.log(`session table cost at ${SESSION_CONNS} sessions: throughput change ${signedPct(sessionChangePct)} (median of ${ROUNDS} pairs), table CPU ${sessionTableMsPerS.toFixed(2)} ms/s`)
  process.exit(sessionPairs.every((p) => p.verified) ? 0 : 1)
}

const overheadPct = overhead.length ? median(overhead.map((o) => o.throughputLossPct)) : NaN
const lossRange = [Math.min(...overhead.map((o) => o.throughputLossPct)), Math.max(...overhead.map((o) => o.throughputLossPct))]
const samplerMsPerS = median(overhead.map((o) => o.samplerMsPerS))
const samplerSharePct = median(overhead.map((o) => o.samplerCpuSharePct))
const signed = (x) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)}`

const rows = results

// The probe's cost on an instrumented server (examples/epoll-echo-server with every probe call vs
// compiled out): its own interleaved rounds in this same run (bench/probe-overhead.mjs).
let probeOverhead = null
if (!sessionsOnly && !argv.includes('--only') && !argv.includes('--no-probe-overhead')) {
  const r = spawnSync(process.execPath, [join(here, 'probe-overhead.mjs'), '--rounds', String(Math.max(ROUNDS, 5)), '--seconds', String(seconds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  process.stdout.write(r.stdout ?? '')
  const at = (r.stdout ?? '').indexOf('| variant')
  probeOverhead = r.status === 0 && at >= 0 ? r.stdout.slice(at).trim() : `bench/probe-overhead.mjs failed (exit ${r.status ?? r.signal}): see its output above`
}

const date = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '')
const md = [
  `# Benchmark ${new Date().toISOString()}`,
  '',
  `Command: \`npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}\` — ${process.platform}, ${cpuCount} cores, loopback; ${seconds} s per run, median of ${ROUNDS} rounds per point (the servers back to back within each round; each × column is the median of the rounds' ratios; the C peers are frevib's echo servers, a corrupting run's rate is not counted); one engine worker, one generator thread (socket layer: ${[...new Set(results.filter((r) => r.server === SERVERS[0]?.name).map((r) => r.generatorIo))].join(', ') || '—'}); ${placement}; every echo verified byte for byte.`,
  '',
  `| server | conns | size B | msgs/s (median) | range | MB/s | p50 µs | p99 µs | server CPU µs/msg | RSS MiB | × ${BAR} msgs/s | × ${BAR} CPU/msg | × Node msgs/s | echoes (all rounds) | check |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.server} | ${r.conns} | ${r.size} | ${r.corrupt ? 'corrupt' : r.msgsPerS.toFixed(0)} | ${(r.minMsgsPerS / 1000).toFixed(0)}k–${(r.maxMsgsPerS / 1000).toFixed(0)}k | ${r.mbPerS.toFixed(1)} | ${fmt(r.p50Us, 0)} | ${fmt(r.p99Us, 0)} | ${r.cpuUsPerMsg.toFixed(2)} | ${r.rssMiB.toFixed(0)} | ${fmt(r.vsBar.msgs)} | ${fmt(r.vsBar.cpu)} | ${fmt(r.ratioMsgs)} | ${r.echoes} | ${r.runs.map(check).filter((c, i, a) => a.indexOf(c) === i).join(', ')} |`),
  '',
  ...(rows.some((r) => r.vsC)
    ? [
        'Load generator (1 thread, every byte verified) against the minimal C client (bench/pingpong_client.c, length only) on the same server (the io_uring engine), median of the rounds\' ratios; the generator drives io_uring by default (`iouring` rows), and its epoll layer runs as `iouring+gen-epoll`:',
        '',
        '| generator io | conns | size B | generator msgs/s ÷ C client msgs/s | generator CPU µs/msg | C client CPU µs/msg | generator CPU/msg ÷ C client CPU/msg |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...rows.filter((r) => r.vsC).map((r) => `| ${r.generatorIo} | ${r.conns} | ${r.size} | ${r.vsC.msgs.toFixed(2)} | ${r.vsC.genCpu.toFixed(2)} | ${r.vsC.cCpu.toFixed(2)} | ${r.vsC.cpu.toFixed(2)} |`),
        '',
      ]
    : []),
  ...(skipped.length ? [`Skipped: ${skipped.join('; ')}.`, ''] : []),
  '',
  `![throughput vs connections](${date}.svg)`,
  '',
  ...(baseline
    ? [
        `This build against the baseline addon \`${baseline}\` (same backend, same rounds; median of the rounds' ratios):`,
        '',
        '| backend | conns | size B | × baseline msgs/s | × baseline CPU/msg |',
        '|---|---:|---:|---:|---:|',
        ...rows.filter((r) => r.vsBase).map((r) => `| ${r.server} | ${r.conns} | ${r.size} | ${r.vsBase.msgs.toFixed(3)} | ${r.vsBase.cpu.toFixed(3)} |`),
        '',
      ]
    : []),
  ...(sessionPairs.length ? [
  `Session table cost (iouring, ${SESSION_CONNS} live sessions echoing 128 B, the table of the top 500 by bytes/s asked for at 2 Hz vs not, ${ROUNDS} back-to-back pairs): throughput change ${signedPct(sessionChangePct)} (median; pairs ${sessionPairs.map((p) => signedPct(p.changePct)).join(', ')}); building the tables cost the JS thread ${sessionTableMsPerS.toFixed(2)} ms per second.`,
    '',
  ] : []),
  ...(probeOverhead ? [`Probe overhead: examples/epoll-echo-server with the probe and built with -DIOCPM_NO_PROBE, 1 worker, 50 conns, 128 B, the same generator load in alternating rounds (bench/probe-overhead.mjs):`, '', probeOverhead, ''] : []),
  ...(overhead.length ? [
  `Monitoring overhead (iouring, 50 conns, 128 B, sampler at 10 Hz vs off, ${ROUNDS} back-to-back pairs): throughput change ${signed(-overheadPct)} % (median of the pairs; pairs ${signed(-lossRange[1])} % … ${signed(-lossRange[0])} %); the sampler thread's own CPU ${samplerMsPerS.toFixed(2)} ms per second = ${samplerSharePct.toFixed(2)} % of the server's CPU.`,
    '',
  ] : []),
].join('\n')
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `${date}.md`), md)
writeFileSync(join(here, 'results', `${date}.json`), JSON.stringify({ seconds, rounds: ROUNDS, placement, rows, overhead, overheadPct, samplerMsPerS, samplerSharePct, sessionPairs, sessionChangePct, sessionTableMsPerS }, null, 2))
writeFileSync(join(here, 'results', `${date}.svg`), throughputSvg(rows))
writeFileSync(join(here, 'results', 'latest.svg'), throughputSvg(rows))
writeFileSync(join(here, 'results', 'latest.md'), md)
console.log('\n' + md)
console.log(`written bench/results/${date}.md`)
process.exit(rows.filter((r) => !r.server.startsWith('peer-')).every((r) => r.verified) && sessionPairs.every((p) => p.verified) ? 0 : 1)
