#!/usr/bin/env node
// `npm run build:examples`: builds the probe's example servers into examples/<name>/build/.
//   epoll-echo-server/build/epoll-echo-server          (Linux, with the probe)
//   epoll-echo-server/build/epoll-echo-server-noprobe  (Linux, -DIOCPM_NO_PROBE: the bench baseline)
//   seed-echo-server/build/seed-echo-server.exe        (Windows, mingw-w64; skipped if missing)
// Each compiler command is printed as it runs, so it can be copied into another build.
// A target newer than all of its sources is left alone. Exit 1 if a build fails.
// Also importable: buildExamples({ log }) returns the paths built (seedExe: null if skipped);
// buildEpollExample() / buildSeedExample() build one each.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const probeDir = join(here, '..', 'native', 'probe')
const MINGW = 'x86_64-w64-mingw32-g++-posix'
const defaultLog = (line) => process.stderr.write(line + '\n')

function sourcesOf(dir) {
  const src = join(dir, 'src')
  return [...readdirSync(src).map((f) => join(src, f)), join(probeDir, 'iocpm_probe.h')]
}

function upToDate(target, sources) {
  if (!existsSync(target)) return false
  const built = statSync(target).mtimeMs
  return sources.every((s) => statSync(s).mtimeMs <= built)
}

function have(tool) {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0
}

function compile(cmd, args, log) {
  log(`  ${[cmd, ...args].map((a) => relative(process.cwd(), a) || a).join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status ?? r.signal})`)
}

/** Linux: the instrumented server and the bare one, from the same sources. */
export function buildEpollExample({ log = defaultLog } = {}) {
  const dir = join(here, 'epoll-echo-server')
  const out = join(dir, 'build')
  mkdirSync(out, { recursive: true })
  const sources = sourcesOf(dir)
  const cfiles = sources.filter((f) => f.endsWith('.c'))
  const flags = ['-std=gnu11', '-O2', '-g', '-Wall', '-Wextra', '-pthread', '-I', probeDir]
  const variants = { 'epoll-echo-server': [], 'epoll-echo-server-noprobe': ['-DIOCPM_NO_PROBE'] }
  const built = {}
  for (const [name, extra] of Object.entries(variants)) {
    const target = join(out, name)
    if (upToDate(target, sources)) log(`  ${relative(here, target)}: up to date`)
    else compile(process.env.CC || 'cc', [...flags, ...extra, ...cfiles, '-o', target], log)
    built[name] = target
  }
  return { epoll: built['epoll-echo-server'], epollNoProbe: built['epoll-echo-server-noprobe'] }
}

/** Windows: the IOCP server with mingw-w64 (-posix: its libstdc++ has std::thread). */
export function buildSeedExample({ log = defaultLog } = {}) {
  const dir = join(here, 'seed-echo-server')
  const target = join(dir, 'build', 'seed-echo-server.exe')
  if (!have(MINGW)) {
    log(`  seed-echo-server: SKIPPED — ${MINGW} not found (apt-get install -y g++-mingw-w64-x86-64)`)
    return null
  }
  mkdirSync(dirname(target), { recursive: true })
  const sources = sourcesOf(dir)
  if (upToDate(target, sources)) {
    log(`  ${relative(here, target)}: up to date`)
    return target
  }
  const cpp = sources.filter((f) => f.endsWith('.cpp'))
  compile(MINGW, ['-std=c++17', '-O2', '-Wall', '-Wextra', '-static', '-I', probeDir, ...cpp, '-o', target, '-lws2_32', '-lmswsock'], log)
  return target
}

export function buildExamples({ log = defaultLog } = {}) {
  log('epoll-echo-server (Linux):')
  const linux = buildEpollExample({ log })
  log('seed-echo-server (Windows, mingw-w64):')
  return { ...linux, seedExe: buildSeedExample({ log }) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const built = buildExamples()
    for (const path of Object.values(built)) if (path) console.log(relative(process.cwd(), path))
  } catch (e) {
    process.stderr.write(`build:examples: ${e.message}\n`)
    process.exit(1)
  }
}
