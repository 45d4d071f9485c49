// `npm run bench -- --scale`: 100,000 concurrent connections to one engine worker (fewer when this
// host's limits cannot be raised; what could not be had is reported). For each backend: the
// accept storm (connections per second, all opened as fast as the server accepts them, each then
// echoing one verified message), the engine's user-space memory per idle connection (its RSS
// after they are all open and idle, minus its RSS before, divided by their number — kernel socket
// buffers are not in RSS) and the time to close them all.
//   --connections N   (default 100000)   --sources K   loopback source addresses (default: one per
//   25,000 connections, 127.0.0.2 upwards, so their ephemeral ports do not run out)
// Limits: RLIMIT_NOFILE of both processes (raised with prlimit up to the hard limit, above it only
// with CAP_SYS_RESOURCE), fs.nr_open and net.ipv4.ip_local_port_range (raised only if writable,
// and put back afterwards).
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
  notes.push(`RLIMIT_NOFILE cannot go above the hard limit ${hardNow} (${tryRaise.error ? 'no prlimit' : tryRaise.stderr.trim().replace(/^prlimit: /, '')}; raising it needs CAP_SYS_RESOURCE): the run is capped at ${hardNow - 256} connections`)
}
const N = Math.min(WANT, nofile - 256)
const SOURCES = numArg('--sources', Math.max(2, Math.ceil(N / 25000)))
// One source address has ip_local_port_range's ports towards one server port.
const range = (readSysctl('/proc/sys/net/ipv4/ip_local_port_range') ?? '32768 60999').split(/\s+/).map(Number)
if ((range[1] - range[0]) * SOURCES < N) raiseSysctl('/proc/sys/net/ipv4/ip_local_port_range', '1024 65535', 'more ephemeral ports per source address')
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

async function runBackend(backend) {
  const port = await freePort()
  const [cmd, ...args] = withLimit([process.execPath, join(here, 'server-host.cjs'), 'engine', '--backend', backend, '--workers', '1', '--port', String(port), '--max-sessions', String(Math.min(N + 16, 100000))])
  const server = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const serverLine = lines(server)
  if (!(await serverLine()).startsWith('ready')) throw new Error(`${backend} server did not start`)
  // The server's pid is prlimit's (it execs the command).
  await new Promise((r) => setTimeout(r, 300))
  const rss0 = rssKiB(server.pid)
  const [ccmd, ...cargs] = withLimit([refs.scaleClient.bin, '127.0.0.1', String(port), String(N), String(SOURCES), '64'])
  const client = spawn(ccmd, cargs, { stdio: ['pipe', 'pipe', 'inherit'] })
  const clientLine = lines(client)
  const storm = JSON.parse(await clientLine())
  await new Promise((r) => setTimeout(r, 500)) // idle: every session's receive is armed and waiting
  const rss1 = rssKiB(server.pid)
  server.stdin.write('snapshot\n')
  const snap = JSON.parse(await serverLine())
  const live = snap?.workers?.reduce?.((a, w) => a + (w.sessions ?? w.liveSessions ?? 0), 0) ?? snap?.sessions ?? null
  client.stdin.end()
  const closed = JSON.parse(await clientLine())
  await new Promise((r) => client.once('exit', r))
  await new Promise((r) => { server.once('exit', r); server.stdin.end() })
  return {
    backend,
    connections: N,
    sources: SOURCES,
    connected: storm.connected,
    echoed: storm.echoed,
    failed: storm.failed,
    firstError: storm.firstError,
    corruptReads: storm.corruptReads,
    liveSessions: live,
    acceptPerS: storm.connected / storm.connectS,
    servedPerS: storm.echoed / storm.echoS,
    rssBeforeMiB: rss0 / 1024,
    rssAfterMiB: rss1 / 1024,
    bytesPerConn: storm.echoed ? ((rss1 - rss0) * 1024) / storm.echoed : NaN,
    closeS: closed.closeS,
  }
}

const results = []
try {
  console.log(`scale: ${N} connections (asked ${WANT}) from ${SOURCES} source addresses, one engine worker; descriptors per process ${nofile}`)
  for (const n of notes) console.log(`scale: ${n}`)
  for (const backend of ['iouring', 'epoll']) {
    const r = await runBackend(backend)
    results.push(r)
    console.log(`${backend.padEnd(8)} ${r.echoed}/${r.connections} echoed${r.failed ? ` (${r.failed} failed: ${r.firstError})` : ''}${r.corruptReads ? ` CORRUPT ${r.corruptReads}` : ''}; accept storm ${r.acceptPerS.toFixed(0)} conn/s, first echo on all ${r.servedPerS.toFixed(0)} conn/s; RSS ${r.rssBeforeMiB.toFixed(1)} -> ${r.rssAfterMiB.toFixed(1)} MiB = ${r.bytesPerConn.toFixed(0)} B per idle connection; closing all ${r.closeS.toFixed(2)} s`)
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
  `Command: \`npm run bench -- --scale\` — ${N} connections (asked ${WANT}) from ${SOURCES} loopback source addresses to one engine worker, opened at most 2,048 at a time (connects and first echoes in flight) as fast as the server accepts, each echoing one 64 B message (compared byte for byte), then held idle.`,
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  '| backend | connections held | failed | accept storm conn/s | first echo on all, conn/s | RSS before MiB | RSS idle MiB | user-space bytes per idle connection | close all s |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.backend} | ${r.echoed} | ${r.failed} | ${r.acceptPerS.toFixed(0)} | ${r.servedPerS.toFixed(0)} | ${r.rssBeforeMiB.toFixed(1)} | ${r.rssAfterMiB.toFixed(1)} | ${r.bytesPerConn.toFixed(0)} | ${r.closeS.toFixed(2)} |`),
  '',
].join('\n')
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `scale-${date}.md`), md)
console.log('\n' + md)
process.exitCode = results.every((r) => r.failed === 0 && r.corruptReads === 0) ? 0 : 1
