// `npm run bench -- --profile`: where each echo server's CPU goes, and the client's, from `perf`.
// Each server runs pinned to CPU 1 under the project's load generator (one thread, every echo
// verified, pinned to CPU 0); `perf record -g` samples both processes for the same window, and the
// report splits each one's cycles into the parts a server's design can and cannot change:
//   send      tcp_sendmsg, inclusive: on loopback this includes delivering the segment to the
//             receiver (net_rx_action → tcp_v4_rcv → waking it), run on the *sender's* CPU
//   recv      tcp_recvmsg, inclusive
//   wait      epoll_wait or io_uring's CQ wait (sleeping and being woken)
//   other     the rest of the kernel: syscall entry, epoll/io_uring bookkeeping, timers, IRQs
//   user      the process's own code
// plus how busy each core was. A server's CPU per message can only fall by what is outside send
// and recv, and throughput can only rise while the client's core has time to spare.
//   --conns 500   --size 128   --seconds 3   --only peer-epoll,iouring,...
// Needs `perf` (Debian: linux-perf) and perf_event_open permission; otherwise says so and exits 0.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildEpollExample } from '../examples/build.mjs'
import { buildReferences } from './c-references.mjs'
import { cpuMicros, freePort, waitListening } from './proc.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const arg = (name, def) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def)
const CONNS = Number(arg('--conns', '500'))
const SIZE = Number(arg('--size', '128'))
const SECONDS = Number(arg('--seconds', '3'))
const only = arg('--only', null)?.split(',')

const perfCheck = spawnSync('perf', ['stat', '-e', 'task-clock', '--', 'true'], { encoding: 'utf8' })
if (perfCheck.error || perfCheck.status !== 0) {
  console.log(`profile: skipped: perf ${perfCheck.error ? 'is not installed (apt-get install linux-perf)' : `cannot profile here: ${perfCheck.stderr.trim().split('\n')[0]}`}`)
  process.exit(0)
}

const refs = buildReferences()
let example = null
try {
  example = buildEpollExample({ log: () => {} }).epollNoProbe
} catch {
  // reported below as skipped
}
const SUBJECTS = [
  { name: 'peer-epoll', exec: refs.peerEpoll.bin, args: (p) => [String(p)], skip: refs.peerEpoll.skip },
  { name: 'example-epoll', exec: example, args: (p) => ['--port', String(p), '--workers', '1'], skip: example ? null : 'examples/epoll-echo-server did not build' },
  { name: 'iouring', engine: 'iouring' },
  { name: 'epoll', engine: 'epoll' },
].filter((s) => !only || only.includes(s.name))

async function startServer(s, port) {
  if (s.exec) {
    const child = spawn('taskset', ['-c', '1', s.exec, ...s.args(port)], { stdio: 'ignore' })
    await waitListening(port, child)
    return { pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') }) }
  }
  const child = spawn('taskset', ['-c', '1', process.execPath, join(here, 'server-host.cjs'), 'engine', '--backend', s.engine, '--workers', '1', '--port', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => (String(d).startsWith('ready') ? resolve() : reject(new Error(String(d)))))
    child.once('exit', (code) => reject(new Error(`${s.name} exited with ${code}`)))
  })
  return { pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end() }) }
}

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.once('exit', (code) => resolve({ code, out }))
  })
}

/**
 * Each sample is put in one place by its call chain, so nothing is counted twice (io_uring runs
 * receives as task work inside its CQ wait, so inclusive shares would overlap): in the process's
 * own code when the sample is in user space; else send if tcp_sendmsg is on the chain (loopback:
 * if net_rx_action is too, the delivery to the other side), recv for tcp_recvmsg, wait for the
 * sleep in epoll_wait or io_uring's CQ wait, and other kernel for the rest.
 */
const WAIT_FRAMES = new Set(['do_epoll_wait', 'io_cqring_wait', 'schedule'])
function breakdown(data) {
  const out = spawnSync('perf', ['script', '-i', data, '-F', 'ip,sym,dso'], { encoding: 'utf8', maxBuffer: 512 << 20 }).stdout
  const counts = { send: 0, loopback: 0, recv: 0, wait: 0, other: 0, user: 0 }
  let total = 0
  for (const sample of out.split(/\n\s*\n/)) {
    const frames = sample.split('\n').map((l) => l.trim().match(/^[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)$/)).filter(Boolean)
    if (!frames.length) continue
    total++
    const syms = new Set(frames.map((f) => f[1]))
    if (frames[0][2] !== 'kernel.kallsyms' && frames[0][2] !== '[kernel.kallsyms]') counts.user++
    else if (syms.has('tcp_sendmsg')) {
      counts.send++
      if (syms.has('net_rx_action')) counts.loopback++
    } else if (syms.has('tcp_recvmsg')) counts.recv++
    else if ([...syms].some((f) => WAIT_FRAMES.has(f))) counts.wait++
    else counts.other++
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, total ? (100 * v) / total : 0]))
}

const rows = []
for (const s of SUBJECTS) {
  if (!s.engine && !s.exec) {
    console.log(`profile: skipping ${s.name}: ${s.skip}`)
    continue
  }
  const port = await freePort()
  const server = await startServer(s, port)
  const dir = mkdtempSync(join(tmpdir(), 'iocpm-profile-'))
  const load = spawn('taskset', ['-c', '0', process.execPath, join(here, '../bin/iocp-monitor.cjs'), 'load', '--port', String(port), '--conns', String(CONNS), '--size', String(SIZE), '--seconds', String(SECONDS + 3), '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let loadOut = ''
  load.stdout.on('data', (d) => (loadOut += d))
  load.stderr.on('data', (d) => (loadOut += d))
  const loadDone = new Promise((r) => load.once('exit', r))
  await new Promise((r) => setTimeout(r, 1500)) // connected and steady
  const t0 = { server: cpuMicros(server.pid), client: cpuMicros(load.pid), at: process.hrtime.bigint() }
  const rec = (pid, file) => run('perf', ['record', '-q', '-F', '2000', '-g', '-o', join(dir, file), '-p', String(pid), '--', 'sleep', String(SECONDS)])
  const [rs, rc] = await Promise.all([rec(server.pid, 'server.data'), rec(load.pid, 'client.data')])
  const wall = Number(process.hrtime.bigint() - t0.at) / 1e9
  const busy = { server: (cpuMicros(server.pid) - t0.server) / 1e6 / wall, client: (cpuMicros(load.pid) - t0.client) / 1e6 / wall }
  await loadDone
  await server.stop()
  const verified = /mismatched 0\b/.test(loadOut) && /failed 0\b/.test(loadOut)
  const rate = loadOut.match(/messages sent \(([\d,]+)\/s/)?.[1] ?? '?'
  if (rs.code !== 0 || rc.code !== 0) {
    console.log(`profile: perf record failed for ${s.name}: ${(rs.code !== 0 ? rs.out : rc.out).trim().split('\n')[0]}`)
  } else {
    rows.push({ name: s.name, side: 'server', busy: busy.server, rate, verified, ...breakdown(join(dir, 'server.data')) })
    rows.push({ name: s.name, side: 'client (generator)', busy: busy.client, rate, verified, ...breakdown(join(dir, 'client.data')) })
  }
  rmSync(dir, { recursive: true, force: true })
}

const pct = (x) => `${x.toFixed(1)} %`
const lines = [
  `# Profile ${new Date().toISOString()}`,
  '',
  `Command: \`npm run bench -- --profile${argv.filter((a) => a !== '--profile').length ? ' ' + argv.filter((a) => a !== '--profile').join(' ') : ''}\` — ${CONNS} connections × ${SIZE} B closed-loop echo, one server worker pinned to CPU 1, the generator (one thread, every echo verified) pinned to CPU 0; \`perf record -F 2000 -g\` on both for ${SECONDS} s. Shares are of each process's own samples, each sample counted once by its call chain: send if tcp_sendmsg is on it (on loopback that includes delivering the segment to the other side: the "of which loopback delivery" column), else recv for tcp_recvmsg, else wait (asleep in epoll_wait or the io_uring CQ wait), else other kernel; user when the sample is in the process's own code.`,
  '',
  '| server | process | core busy | msgs/s | send (tcp_sendmsg) | of which loopback delivery | recv (tcp_recvmsg) | wait | other kernel | user space | echoes |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${r.side} | ${pct(r.busy * 100)} | ${r.rate} | ${pct(r.send)} | ${pct(r.loopback)} | ${pct(r.recv)} | ${pct(r.wait)} | ${pct(r.other)} | ${pct(r.user)} | ${r.verified ? 'verified' : 'NOT verified'} |`),
  '',
]
const servers = rows.filter((r) => r.side === 'server')
const peer = servers.find((r) => r.name === 'peer-epoll')
if (peer) {
  const floor = (peer.send + peer.recv) / 100
  lines.push(`A server that does one recv and one send per echo cannot cost less than the TCP work itself: ${pct(peer.send + peer.recv)} of peer-epoll's cycles are inside tcp_sendmsg and tcp_recvmsg, so even with a free event loop and no user code, CPU per message could fall to ${floor.toFixed(2)}× the peer's at best (the TCP work per message being the same for every server on the same kernel).`)
  lines.push('')
}
const text = lines.join('\n')
console.log(text)
mkdirSync(join(here, 'results'), { recursive: true })
const file = join(here, 'results', `profile-${new Date().toISOString().replace(/:/g, '-').slice(0, 19)}.md`)
writeFileSync(file, text)
console.log(`wrote ${file}`)
