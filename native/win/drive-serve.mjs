// Drives `iocp-tests.exe --serve` (running under Wine) from Linux: real Linux sockets against the
// IOCP backend. Waits for `listening`, echoes over 20 connections byte for byte, checks that a
// JSON snapshot counts exactly the bytes sent, then closes stdin and expects exit code 0; a second
// run stops through Ctrl-C instead.
//
// usage: node drive-serve.mjs <path/to/iocp-tests.exe> [per-worker|shared]
// Prints `drive-serve <layout>: N passed, N failed` last; exits 1 on any failure.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { createInterface } from 'node:readline'

const exe = process.argv[2]
const layout = process.argv[3] ?? 'per-worker'
const CONNECTIONS = 20
const MESSAGES = 8
const MAX_MESSAGE = 16 * 1024
const WORKERS = 2

let passed = 0
let failed = 0
function check(name, ok, detail = '') {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`)
  return ok
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
    }),
  ])
}

// Line reader over the child's stdout: nextLine(pred) resolves with the first line matching pred.
function lineWaiter(stream) {
  const waiters = []
  const backlog = []
  createInterface({ input: stream }).on('line', (line) => {
    const i = waiters.findIndex((w) => w.pred(line))
    if (i >= 0) waiters.splice(i, 1)[0].resolve(line)
    else backlog.push(line)
  })
  return (pred) => {
    const i = backlog.findIndex(pred)
    if (i >= 0) return Promise.resolve(backlog.splice(0, i + 1)[i])
    backlog.length = 0 // older lines are stale for a new question
    return new Promise((resolve) => waiters.push({ pred, resolve }))
  }
}

// One connection: MESSAGES request/response round trips; resolves with the bytes sent.
function echoClient(port, id) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' })
    sock.setNoDelay(true)
    let sent = 0
    let expected = null
    let got = []
    let gotLen = 0
    let n = 0
    const next = () => {
      if (n === MESSAGES) {
        sock.end()
        return
      }
      n++
      expected = randomBytes(1 + ((id * 7919 + n * 104729) % MAX_MESSAGE))
      got = []
      gotLen = 0
      sent += expected.length
      sock.write(expected)
    }
    sock.on('connect', next)
    sock.on('data', (chunk) => {
      got.push(chunk)
      gotLen += chunk.length
      if (gotLen > expected.length) return reject(new Error(`connection ${id}: more bytes than sent`))
      if (gotLen === expected.length) {
        if (!Buffer.concat(got).equals(expected)) return reject(new Error(`connection ${id}: echo differs`))
        next()
      }
    })
    sock.on('error', reject)
    sock.on('close', () => (n === MESSAGES ? resolve(sent) : reject(new Error(`connection ${id}: closed early`))))
  })
}

const sum = (snap, key) => snap.workers.reduce((a, w) => a + w[key], 0)

async function main() {
  if (!exe) throw new Error('usage: node drive-serve.mjs <iocp-tests.exe> [per-worker|shared]')
  const port = await freePort()
  const child = spawn('wine', [exe, '--serve', '--port', String(port), '--workers', String(WORKERS), '--layout', layout], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const nextLine = lineWaiter(child.stdout)
  try {
    const listening = await withTimeout(
      Promise.race([nextLine((l) => l.startsWith('listening ')), exited.then(() => null)]),
      90_000,
      'the listening line',
    )
    if (!check('server prints its listening line', listening === `listening 127.0.0.1:${port}`, String(listening))) return

    const results = await withTimeout(
      Promise.allSettled(Array.from({ length: CONNECTIONS }, (_, i) => echoClient(port, i + 1))),
      60_000,
      'the echo clients',
    )
    const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message)
    check(`${CONNECTIONS} connections echo byte for byte`, errors.length === 0, errors.slice(0, 3).join('; '))
    const total = results.reduce((a, r) => a + (r.status === 'fulfilled' ? r.value : 0), 0)

    // Snapshots arrive once a second; the first one after the traffic settles must be exact.
    let snap = null
    await withTimeout(
      nextLine((l) => {
        if (!l.startsWith('{')) return false
        snap = JSON.parse(l)
        return sum(snap, 'bytesIn') === total && sum(snap, 'bytesOut') === total && sum(snap, 'sessions') === 0
      }),
      20_000,
      `a snapshot with bytesIn = bytesOut = ${total} and no open session`,
    ).catch((e) => check('snapshot counts the bytes exactly', false, `${e.message}; last: ${JSON.stringify(snap)}`))
    if (snap && sum(snap, 'bytesIn') === total) {
      check('snapshot bytesIn equals the bytes sent', true, `${total} bytes`)
      check('snapshot bytesOut equals the bytes echoed', sum(snap, 'bytesOut') === total)
      check('snapshot accepts/closes match the connections', sum(snap, 'accepts') === CONNECTIONS && sum(snap, 'closes') === CONNECTIONS)
      const w = snap.workers[0]
      const shapeOk =
        snap.running === true &&
        typeof snap.monoNs === 'number' &&
        snap.workers.length === WORKERS &&
        ['worker', 'queueDepth', 'completions', 'accepts', 'closes', 'sessions', 'bytesIn', 'bytesOut', 'busyNs'].every(
          (k) => typeof w[k] === 'number',
        ) &&
        ['accept', 'recv', 'send'].every((k) => typeof w.inflight?.[k] === 'number') &&
        Array.isArray(w.errors)
      check('snapshot has the addon field names', shapeOk, JSON.stringify(w))
      if (layout === 'per-worker') {
        check('per-worker layout spreads sessions over every worker', snap.workers.every((x) => x.accepts > 0))
      }
    }

    child.stdin.end() // EOF: the server stops, prints a final snapshot and exits
    const final = await withTimeout(nextLine((l) => l.startsWith('{') && JSON.parse(l).running === false), 20_000, 'the final snapshot').catch(
      () => null,
    )
    check('a final snapshot reports running:false', final !== null)
    const { code, signal } = await withTimeout(exited, 20_000, 'the process to exit after stdin EOF')
    check('server exits 0 after stdin EOF', code === 0, `code=${code} signal=${signal}`)
  } catch (e) {
    check('driver', false, e.message)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }
}

// Ctrl-C: Wine turns SIGINT into CTRL_C_EVENT for the console control handler, which must stop
// the engine, print a final snapshot and exit 0 just like stdin EOF.
async function ctrlC() {
  const port = await freePort()
  const child = spawn('wine', [exe, '--serve', '--port', String(port), '--workers', String(WORKERS), '--layout', layout], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const nextLine = lineWaiter(child.stdout)
  try {
    await withTimeout(nextLine((l) => l.startsWith('listening ')), 90_000, 'the listening line')
    child.kill('SIGINT')
    const final = await withTimeout(nextLine((l) => l.startsWith('{') && JSON.parse(l).running === false), 20_000, 'the final snapshot').catch(
      () => null,
    )
    const { code } = await withTimeout(exited, 20_000, 'the process to exit after Ctrl-C')
    check('Ctrl-C (SIGINT under Wine) stops cleanly: final snapshot, exit 0', final !== null && code === 0, `code=${code}`)
  } catch (e) {
    check('Ctrl-C driver', false, e.message)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }
}

await main()
await ctrlC()
console.log(`drive-serve ${layout}: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
