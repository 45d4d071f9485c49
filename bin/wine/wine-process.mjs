// Running Windows Node under Wine, the way a terminal user expects a command to behave:
// - a Wine prefix of our own (outside the repo), made once and set to report Windows 10, because
//   Node refuses older Windows versions;
// - stdout/stderr relayed line by line: under Wine, Node's stdio fails on pipes (`open EBADF`) but
//   works on files, so the child writes to files that we follow and copy out;
// - signals: Wine turns a SIGINT sent to its process into a console Ctrl-C event, which Node
//   delivers as process.on('SIGINT'); Windows has no SIGTERM, so both are sent on as SIGINT. The
//   child runs in its own process group, so a terminal's Ctrl-C reaches it once (through us),
//   not twice (the CLI treats a second signal as "exit now").
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, rmdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { cacheDir } from './windows-node.mjs'

/** The Wine loader itself: Debian's `wine` script only adds a "wine32 is missing" warning. */
export function wineBinary() {
  return existsSync('/usr/lib/wine/wine64') ? '/usr/lib/wine/wine64' : 'wine'
}

export function defaultPrefix(env = process.env) {
  return env.IOCPM_WINEPREFIX || join(cacheDir(env), 'wine-prefix')
}

/** Environment for every Wine call: quiet, no Mono/Gecko install prompts, our prefix. */
export function wineEnv(prefix, env = process.env) {
  return { ...env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' }
}

/** A Linux path as Windows Node sees it: Wine maps / to drive Z:. */
export function toWindowsPath(p, cwd = process.cwd()) {
  return 'Z:' + resolve(cwd, p).replace(/\//g, '\\')
}

/**
 * The reverse, for what the child prints: `Z:\\tmp\\w.csv` → `/tmp/w.csv`, so messages name the
 * files the caller gave. (A path containing spaces is translated up to its first space.)
 */
export function fromWindowsPaths(text) {
  return text.replace(/\b[Zz]:(\\[^\s"'<>|]*)/g, (_m, rest) => rest.replace(/\\/g, '/'))
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Makes the prefix once (~10-20 s on first use). A lock directory keeps concurrent first runs
 * (parallel test files) from initialising it twice; a marker file says it is complete.
 */
export function ensurePrefix({ prefix = defaultPrefix(), log = (s) => process.stderr.write(s + '\n') } = {}) {
  const ready = join(prefix, '.iocpm-ready')
  if (existsSync(ready)) return prefix
  mkdirSync(join(prefix, '..'), { recursive: true })
  const lock = `${prefix}.lock`
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (existsSync(ready)) return prefix
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no other run is making the prefix)`)
      sleep(200)
    }
  }
  try {
    if (existsSync(ready)) return prefix
    log(`making the Wine prefix ${prefix} (once, ~20 s)`)
    const r = spawnSync(wineBinary(), ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'], {
      env: wineEnv(prefix),
      encoding: 'utf8',
      timeout: 170_000,
    })
    if (r.status !== 0) throw new Error(`wine reg add failed (exit ${r.status}): ${r.error?.message ?? ''}${r.stderr}`)
    // Let wineserver flush the registry to disk before anyone relies on it.
    spawnSync('wineserver', ['-w'], { env: wineEnv(prefix), timeout: 60_000 })
    writeFileSync(ready, `${new Date().toISOString()}\n`)
    return prefix
  } finally {
    rmdirSync(lock)
  }
}

/** Follows a file another process appends to and hands out complete lines. */
class FileFollower {
  constructor(path, onLine) {
    this.path = path
    this.onLine = onLine
    this.fd = openSync(path, 'r')
    this.pos = 0
    this.rest = ''
    this.buf = Buffer.alloc(64 * 1024)
  }
  poll() {
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos)
      if (n <= 0) break
      this.pos += n
      this.rest += this.buf.toString('utf8', 0, n)
    }
    const lines = this.rest.split('\n')
    this.rest = lines.pop()
    for (const line of lines) this.onLine(line.replace(/\r$/, ''))
  }
  close() {
    this.poll()
    if (this.rest) this.onLine(this.rest.replace(/\r$/, ''))
    this.rest = ''
    closeSync(this.fd)
  }
}

/** Starts `node.exe args…` under Wine (see spawnWindowsProgram). */
export function spawnWindowsNode(nodeExe, args, opts = {}) {
  return spawnWindowsProgram(nodeExe, args, opts)
}

/**
 * Starts a Windows program (`exe args…`) under Wine. Output lines go to onStdout/onStderr as they
 * appear. Returns { pid, interrupt(), kill(), exited: Promise<{code, signal}> }.
 */
export function spawnWindowsProgram(exe, args, { cwd = process.cwd(), env = process.env, prefix = defaultPrefix(env), onStdout, onStderr } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'iocpm-wine-'))
  const outFile = join(dir, 'stdout')
  const errFile = join(dir, 'stderr')
  const outFd = openSync(outFile, 'w')
  const errFd = openSync(errFile, 'w')
  const child = spawn(wineBinary(), [exe, ...args], {
    cwd,
    env: wineEnv(prefix, env),
    stdio: ['ignore', outFd, errFd],
    detached: true,
  })
  closeSync(outFd)
  closeSync(errFd)
  const followers = [new FileFollower(outFile, onStdout ?? ((l) => process.stdout.write(l + '\n'))), new FileFollower(errFile, onStderr ?? ((l) => process.stderr.write(l + '\n')))]
  const timer = setInterval(() => followers.forEach((f) => f.poll()), 25)
  const exited = new Promise((resolveExit) => {
    const done = (code, signal) => {
      clearInterval(timer)
      for (const f of followers) f.close()
      rmSync(dir, { recursive: true, force: true })
      resolveExit({ code, signal })
    }
    child.on('error', (e) => {
      followers[1].onLine(`cannot start wine: ${e.message} (apt-get install -y wine64 wine)`)
      done(127, null)
    })
    child.on('exit', done)
  })
  return {
    pid: child.pid,
    /** Windows only knows Ctrl-C: SIGINT and SIGTERM both arrive as process.on('SIGINT'). */
    interrupt() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
    exited,
  }
}
