// One server under test, in its own process so its CPU time can be read from /proc/<pid>/stat.
//   node bench/server-host.cjs engine --backend iouring --workers 1 --port P --sample-hz 10
//   node bench/server-host.cjs node --port P            (the Node `net` echo baseline)
//   --addon PATH   the engine from another build of the addon (npm run bench -- --baseline PATH)
//   --sessions-hz N  asks for the session table N times a second, as the Sessions tab does
//   --max-sessions N  the engine's session limit (the --scale run)
//   --iouring-sockets fd|direct  how io_uring holds sessions (the --scale run's direct descriptors)
// Prints "ready" once listening; exits when stdin closes.
'use strict'
const net = require('node:net')
const path = require('node:path')

const args = process.argv.slice(2)
const kind = args[0]
const opt = (name, def) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : def
}
const port = Number(opt('--port'))

let snapshot = () => null

async function main() {
  let stop
  if (kind === 'node') {
    const server = net.createServer((s) => {
      s.setNoDelay(true)
      s.on('data', (d) => s.write(d))
      s.on('error', () => s.destroy())
    })
    await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
    stop = () => new Promise((r) => server.close(r))
  } else {
    const { Engine } = require(opt('--addon', path.join(__dirname, '../native/build/Release/iocp_monitor.node')))
    const engine = new Engine()
    await engine.start({ port, backend: opt('--backend', 'auto'), workers: Number(opt('--workers', '1')), ...(opt('--max-sessions') ? { maxSessions: Number(opt('--max-sessions')) } : {}), ...(opt('--iouring-sockets') ? { iouringSockets: opt('--iouring-sockets') } : {}) })
    snapshot = () => engine.snapshot()
    const hz = Number(opt('--sample-hz', '0'))
    let sampler = null
    if (hz > 0) {
      // The real main-process path: sampler → history ring → serialisation as for IPC.
      const { Sampler } = require(path.join(__dirname, '../dist-cli/src-main/service/sampler.js'))
      const { History } = require(path.join(__dirname, '../dist-cli/src-main/service/history.js'))
      const { readSnapshot } = require(path.join(__dirname, '../dist-cli/src-main/addon/snapshot-decode.js'))
      const history = new History()
      sampler = new Sampler({ hz, snapshot: () => readSnapshot(engine), onTick: (t) => { history.push(t); JSON.stringify(t) } })
      sampler.start()
    }
    // The Sessions tab's polling: the top 500 by bytes/s, the tab's default view.
    const sessionsHz = Number(opt('--sessions-hz', '0'))
    const sessionsTimer = sessionsHz > 0 ? setInterval(() => JSON.stringify(engine.sessions({ key: 'bytesPerS', limit: 500, worker: -1, addressPrefix: '' })), 1000 / sessionsHz) : null
    // Keep the process alive while the engine's own threads do the work.
    const keepAlive = setInterval(() => {}, 1 << 30)
    stop = async () => {
      if (sessionsTimer) clearInterval(sessionsTimer)
      sampler?.stop()
      clearInterval(keepAlive)
      await engine.stop()
    }
  }
  process.stdout.write('ready\n')
  // A line "snapshot" on stdin prints the engine's snapshot as one JSON line (used by the soak).
  let pending = ''
  process.stdin.on('data', (d) => {
    pending += d
    let nl
    while ((nl = pending.indexOf('\n')) >= 0) {
      const cmd = pending.slice(0, nl).trim()
      pending = pending.slice(nl + 1)
      if (cmd === 'snapshot') process.stdout.write(JSON.stringify(snapshot()) + '\n')
    }
  })
  process.stdin.on('end', async () => {
    await stop()
    process.exit(0)
  })
}

main().catch((e) => {
  process.stderr.write(`server-host: ${e.message}\n`)
  process.exit(1)
})
