// `npm run bench -- --scale`: 100,000 concurrent connections held by the engine. For each way it
// can hold them: the accept storm (connections per second, all opened as fast as the server
// accepts them, each then echoing one verified message), the engine's user-space memory per idle
// connection (its RSS after they are all open and idle, minus its RSS before, divided by their
// number — kernel socket buffers are not in RSS) and the time to close them all.
//   - io_uring with direct descriptors (iouringSockets "direct"): the sessions are in the worker
//     rings' file tables, not the process's descriptor table, so RLIMIT_NOFILE caps each worker,
//     not the process: as many workers as the connections need (each table holds the limit's
//     worth), all of the connections asked for.
//   - io_uring and epoll with ordinary descriptors, one worker: as many connections as the
//     process's descriptor limit allows (all of them where it can be raised that far).
//   --connections N   (default 100000)   --sources K   loopback source addresses (default: one per
//   10,000 connections, 127.0.0.2 upwards, so their ephemeral ports never run short)
// The clients run as several processes when one may not hold them all. Limits: RLIMIT_NOFILE
// (raised with prlimit up to the hard limit, above it only with CAP_SYS_RESOURCE), fs.nr_open and
// net.ipv4.ip_local_port_range (raised only if writable, and put back afterwards).
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildReferences } from './c-references.mjs'
import { freePort } from './proc.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const numArg = (name, def) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : def)
const WANT = numArg('--connections', 100000)
const refs = buildReferences()
if (!refs.scaleClient.bin) {
  console.log(`scale: cannot run: ${refs.scaleClient.skip}`)
  process.exit(1)
}

const notes = []
const restore = []
function readSysctl(path) {
  try { return readFileSync(path, 'utf8').trim() } catch { return null }
}
/** Writes a sysctl when permitted (and remembers the old value); false when it may not. */
function raiseSysctl(path, value, why) {
  const old = readSysctl(path)
  try {
    writeFileSync(path, value)
    restore.push(() => writeFileSync(path, old))
    notes.push(`${path}: ${old} -> ${value} for this run (${why}), restored afterwards`)
    return true
  } catch (e) {
    notes.push(`${path} stays ${old} (${e.code}: ${why} not possible)`)
    return false
  }
}

// Descriptors: each side needs one per connection plus a few. prlimit can raise the soft limit to
// the hard one; above the hard limit needs CAP_SYS_RESOURCE, and the kernel's fs.nr_open caps it.
const need = WANT + 256
const nrOpen = Number(readSysctl('/proc/sys/fs/nr_open'))
if (nrOpen < need) raiseSysctl('/proc/sys/fs/nr_open', String(need), 'fs.nr_open above the descriptors needed')
const hardNow = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim())
let nofile = need
const tryRaise = spawnSync('prlimit', [`--nofile=${need}:${need}`, 'true'], { encoding: 'utf8' })
if (tryRaise.error || tryRaise.status !== 0) {
  nofile = hardNow
  notes.push(`RLIMIT_NOFILE cannot go above the hard limit ${hardNow} (${tryRaise.error ? 'no prlimit' : tryRaise.stderr.trim().replace(/^prlimit: /, '')}; raising it needs CAP_SYS_RESOURCE): one process holds at most ${hardNow - 256} ordinary descriptors for connections (the clients run as several processes; the direct-descriptor server is not capped by it)`)
}
// Connections one process can hold: its descriptors, less room for its own.
const PER_PROCESS = nofile - 256
const N = Math.min(WANT, PER_PROCESS)
// One source address per 10,000 connections: connect() searches a source's ephemeral ports for a
// free 4-tuple, and the search slows as the range fills (100,000 from 4 addresses, 25,000 of each
// one's 28,232 ports: 2,191 conn/s; from 10 addresses: 27,591 conn/s).
const SOURCES = numArg('--sources', Math.max(2, Math.ceil(WANT / 10000)))
// One source address has ip_local_port_range's ports towards one server port.
const range = (readSysctl('/proc/sys/net/ipv4/ip_local_port_range') ?? '32768 60999').split(/\s+/).map(Number)
if ((range[1] - range[0]) * SOURCES < WANT) raiseSysctl('/proc/sys/net/ipv4/ip_local_port_range', '1024 65535', 'more ephemeral ports per source address')
const withLimit = (cmd) => ['prlimit', `--nofile=${nofile}:${nofile}`, '--', ...cmd]

const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)[1])

/** Lines of a child's stdout, one at a time. */
function lines(child) {
  let buf = ''
  const waiting = []
  const ready = []
  child.stdout.on('data', (d) => {
    buf += d
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const w = waiting.shift()
      if (w) w(line)
      else ready.push(line)
    }
  })
  return () => (ready.length ? Promise.resolve(ready.shift()) : new Promise((r) => waiting.push(r)))
}

/** Splits n into parts of at most `max`, as even as they go. */
function split(n, max) {
  const parts = Math.ceil(n / max)
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0))
}

/**
 * One server and its clients. `direct`: io_uring with direct descriptors, workers enough for n at
 * PER_PROCESS sessions each (with a margin: the kernel spreads connections over the workers'
 * listeners by hash, not evenly); else one worker.
 */
async function runServer(label, backend, n, direct) {
  const port = await freePort()
  const workers = direct ? Math.ceil((n * 1.15) / PER_PROCESS) : 1
  const [cmd, ...args] = withLimit([process.execPath, join(here, 'server-host.cjs'), 'engine', '--backend', backend, '--workers', String(workers), '--port', String(port), '--max-sessions', String(Math.min(n + 16, 100000)), ...(direct ? ['--iouring-sockets', 'direct'] : [])])
  const server = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const serverLine = lines(server)
  if (!(await serverLine()).startsWith('ready')) throw new Error(`${label} server did not start`)
  // The server's pid is prlimit's (it execs the command).
  await new Promise((r) => setTimeout(r, 300))
  const rss0 = rssKiB(server.pid)
  // Clients: as many processes as their descriptor limit needs, sharing 2,048 connects in flight.
  const shares = split(n, PER_PROCESS)
  const clients = shares.map((share) => {
    const [ccmd, ...cargs] = withLimit([refs.scaleClient.bin, '127.0.0.1', String(port), String(share), String(SOURCES), '64', String(Math.ceil(2048 / shares.length))])
    const child = spawn(ccmd, cargs, { stdio: ['pipe', 'pipe', 'inherit'] })
    return { child, line: lines(child) }
  })
  const storms = await Promise.all(clients.map((c) => c.line().then(JSON.parse)))
  await new Promise((r) => setTimeout(r, 500)) // idle: every session's receive is armed and waiting
  const rss1 = rssKiB(server.pid)
  server.stdin.write('snapshot\n')
  const snap = JSON.parse(await serverLine())
  const live = snap?.workers?.reduce?.((a, w) => a + (w.sessions ?? 0), 0) ?? null
  for (const c of clients) c.child.stdin.end()
  const closes = await Promise.all(clients.map((c) => c.line().then(JSON.parse)))
  await Promise.all(clients.map((c) => new Promise((r) => (c.child.exitCode !== null ? r() : c.child.once('exit', r)))))
  await new Promise((r) => { server.once('exit', r); server.stdin.end() })
  const total = (k) => storms.reduce((a, st) => a + st[k], 0)
  const echoed = total('echoed')
  return {
    backend: label,
    workers,
    clientProcesses: shares.length,
    connections: n,
    sources: SOURCES,
    connected: total('connected'),
    echoed,
    failed: total('failed'),
    firstError: storms.map((st) => st.firstError).find((e) => e) ?? '',
    corruptReads: total('corruptReads'),
    liveSessions: live,
    // The processes start together: the storm lasts as long as the slowest one.
    acceptPerS: total('connected') / Math.max(...storms.map((st) => st.connectS)),
    servedPerS: echoed / Math.max(...storms.map((st) => st.echoS)),
    rssBeforeMiB: rss0 / 1024,
    rssAfterMiB: rss1 / 1024,
    bytesPerConn: echoed ? ((rss1 - rss0) * 1024) / echoed : NaN,
    closeS: Math.max(...closes.map((c) => c.closeS)),
  }
}

const results = []
try {
  console.log(`scale: ${WANT} connections with direct descriptors, ${N} with ordinary ones (asked ${WANT}), from ${SOURCES} source addresses; descriptors per process ${nofile}`)
  for (const n of notes) console.log(`scale: ${n}`)
  const runs = [
    ['iouring direct', 'iouring', WANT, true],
    ['iouring', 'iouring', N, false],
    ['epoll', 'epoll', N, false],
  ]
  for (const [label, backend, n, direct] of runs) {
    const r = await runServer(label, backend, n, direct)
    results.push(r)
    console.log(`${label.padEnd(15)} ${r.echoed}/${r.connections} echoed, ${r.liveSessions} sessions on ${r.workers} worker(s)${r.failed ? ` (${r.failed} failed: ${r.firstError})` : ''}${r.corruptReads ? ` CORRUPT ${r.corruptReads}` : ''}; accept storm ${r.acceptPerS.toFixed(0)} conn/s, first echo on all ${r.servedPerS.toFixed(0)} conn/s; RSS ${r.rssBeforeMiB.toFixed(1)} -> ${r.rssAfterMiB.toFixed(1)} MiB = ${r.bytesPerConn.toFixed(0)} B per idle connection; closing all ${r.closeS.toFixed(2)} s`)
  }
} finally {
  for (const undo of restore.reverse()) {
    try { undo() } catch (e) { console.log(`scale: could not restore a sysctl: ${e.message}`) }
  }
}

const date = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '')
const md = [
  `# Scale run ${new Date().toISOString()}`,
  '',
  `Command: \`npm run bench -- --scale\` — connections from ${SOURCES} loopback source addresses, opened at most 2,048 at a time (connects and first echoes in flight, shared by the client processes) as fast as the server accepts, each echoing one 64 B message (compared byte for byte), then held idle. Descriptors per process: ${nofile}. io_uring with direct descriptors holds its sessions in the worker rings' file tables, so it runs as many workers as the connections need at ${PER_PROCESS} per worker; the ordinary-descriptor servers run one worker and as many connections as one process's descriptors allow.`,
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  '| server | workers | client processes | connections held (echoed) | engine sessions | failed | accept storm conn/s | first echo on all, conn/s | RSS before MiB | RSS idle MiB | user-space bytes per idle connection | close all s |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.backend} | ${r.workers} | ${r.clientProcesses} | ${r.echoed} | ${r.liveSessions} | ${r.failed} | ${r.acceptPerS.toFixed(0)} | ${r.servedPerS.toFixed(0)} | ${r.rssBeforeMiB.toFixed(1)} | ${r.rssAfterMiB.toFixed(1)} | ${r.bytesPerConn.toFixed(0)} | ${r.closeS.toFixed(2)} |`),
  '',
].join('\n')
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `scale-${date}.md`), md)
console.log('\n' + md)
process.exitCode = results.every((r) => r.failed === 0 && r.corruptReads === 0 && r.liveSessions === r.connections) ? 0 : 1
