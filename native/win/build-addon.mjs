#!/usr/bin/env node
// `npm run build:win`: cross-compiles the N-API addon for Windows Node on Linux with mingw-w64.
//
// The sources are the `common` + `win` lists of native/sources.json — the very lists binding.gyp
// gives MSVC on a real Windows machine — so this build and the MSVC one cannot drift.
// Windows addons link against the exporting executable: node-gyp uses node.lib from Node's
// Windows headers package, which is not on this machine. Instead we make the equivalent import
// library from the headers we do have: every napi_*/node_api_* function declared in
// js_native_api.h and node_api.h → node.def (`LIBRARY node.exe`) → dlltool → libnode.a.
// N-API is ABI-stable, so the Linux Node's headers describe the Windows node.exe's exports too.
//
// Output: native/build-win/Release/iocp_monitor.node. Incremental: an object is rebuilt only when
// its source, a project header or the toolchain flags changed. `--force` rebuilds everything.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..')
export const WIN_ADDON_PATH = join(nativeDir, 'build-win', 'Release', 'iocp_monitor.node')
const outDir = join(nativeDir, 'build-win')
const objDir = join(outDir, 'obj')

const CXX = 'x86_64-w64-mingw32-g++-posix' // the -posix variant's libstdc++ has std::thread
const DLLTOOL = 'x86_64-w64-mingw32-dlltool'
const OBJDUMP = 'x86_64-w64-mingw32-objdump'
// The DLLs a Windows addon may import: anything else (libwinpthread-1.dll, libstdc++-6.dll)
// makes require() fail with "The specified module could not be found" on a clean machine.
const ALLOWED_IMPORTS = new Set(['node.exe', 'kernel32.dll', 'msvcrt.dll', 'ws2_32.dll', 'mswsock.dll', 'ntdll.dll', 'user32.dll', 'advapi32.dll'])

/** Node's C headers: next to the running Node (official layout), else Debian's /usr/include/node. */
export function nodeHeaderDir() {
  const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node']
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')))
  if (!found) throw new Error(`Node's headers (node_api.h) not found in ${candidates.join(' or ')}`)
  return found
}

/** Every exported N-API function named in the headers (the .def's EXPORTS), sorted, unique. */
export function napiExports(headerDir) {
  const names = new Set()
  for (const h of ['js_native_api.h', 'node_api.h']) {
    const text = readFileSync(join(headerDir, h), 'utf8')
    // NAPI_EXTERN <return type> NAPI_CDECL? <name>(  — declarations may span lines.
    for (const m of text.matchAll(/NAPI_EXTERN[\s\S]*?\b((?:napi|node_api)_\w+)\s*\(/g)) names.add(m[1])
  }
  return [...names].sort()
}

function sources() {
  const list = JSON.parse(readFileSync(join(nativeDir, 'sources.json'), 'utf8'))
  return { files: [...list.common, ...list.win], libs: list.winLibraries }
}

function listHeaders(dir) {
  const out = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...listHeaders(p))
    else if (/\.(h|hh|hpp)$/.test(e.name)) out.push(p)
  }
  return out
}

function newestMtime(files) {
  return Math.max(0, ...files.map((f) => statSync(f).mtimeMs))
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message} (apt-get install -y g++-mingw-w64-x86-64)`)))
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))))
  })
}

/** Runs jobs with at most `n` at once; rejects on the first failure after the running ones end. */
async function parallel(jobs, n) {
  let next = 0
  let failure = null
  const lane = async () => {
    while (next < jobs.length && !failure) {
      const job = jobs[next++]
      try { await job() } catch (e) { failure = e }
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, lane))
  if (failure) throw failure
}

export async function buildWindowsAddon({ force = false, log = (s) => process.stderr.write(s + '\n') } = {}) {
  const headerDir = nodeHeaderDir()
  const napiDir = dirname(createRequire(import.meta.url).resolve('node-addon-api/package.json'))
  const { files, libs } = sources()
  const cxxflags = [
    '-std=c++17', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-missing-field-initializers',
    '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION',
    // Windows 10 APIs (GetQueuedCompletionStatusEx, CancelIoEx, …) without a Windows SDK switch.
    '-D_WIN32_WINNT=0x0A00', '-DWIN32_LEAN_AND_MEAN', '-DNOMINMAX',
    `-I${headerDir}`, `-I${napiDir}`,
  ]
  // Flags are part of every object's identity: a changed flag rebuilds everything.
  const stamp = createHash('sha256').update(JSON.stringify({ cxxflags, CXX })).digest('hex').slice(0, 16)
  const stampFile = join(objDir, 'flags.stamp')
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') !== stamp) force = true
  mkdirSync(objDir, { recursive: true })

  // 1. Import library for node.exe.
  const def = ['LIBRARY node.exe', 'EXPORTS', ...napiExports(headerDir).map((n) => `  ${n}`), ''].join('\n')
  const defFile = join(outDir, 'node.def')
  const importLib = join(outDir, 'libnode.a')
  if (force || !existsSync(importLib) || !existsSync(defFile) || readFileSync(defFile, 'utf8') !== def) {
    writeFileSync(defFile, def)
    await run(DLLTOOL, ['-d', defFile, '-l', importLib, '-D', 'node.exe'])
  }

  // 2. Objects (only the stale ones).
  const headersMtime = newestMtime([...listHeaders(join(nativeDir, 'src')), ...listHeaders(napiDir)])
  const objects = []
  const jobs = []
  for (const src of files) {
    const srcPath = join(nativeDir, src)
    const obj = join(objDir, src.replace(/[\\/]/g, '_').replace(/\.cc$/, '.o'))
    objects.push(obj)
    const fresh = !force && existsSync(obj) && statSync(obj).mtimeMs >= Math.max(statSync(srcPath).mtimeMs, headersMtime)
    if (fresh) continue
    jobs.push(async () => {
      log(`  CXX ${src}`)
      await run(CXX, [...cxxflags, '-c', '-o', obj, srcPath])
    })
  }
  await parallel(jobs, Math.max(1, availableParallelism()))
  writeFileSync(stampFile, stamp)

  // 3. Link, statically: the .node must need nothing but system DLLs and node.exe.
  const linked = existsSync(WIN_ADDON_PATH) && !force && statSync(WIN_ADDON_PATH).mtimeMs >= newestMtime([...objects, importLib])
  if (!linked) {
    mkdirSync(dirname(WIN_ADDON_PATH), { recursive: true })
    log(`  LINK ${relative(process.cwd(), WIN_ADDON_PATH)}`)
    await run(CXX, ['-shared', '-static', '-o', WIN_ADDON_PATH, ...objects, `-L${outDir}`, '-lnode', ...libs.map((l) => `-l${l}`)])
  }
  checkImports(WIN_ADDON_PATH)
  return WIN_ADDON_PATH
}

/** The DLLs the built .node imports; throws if one would be missing on a clean Windows. */
export function checkImports(file) {
  const r = spawnSync(OBJDUMP, ['-p', file], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${OBJDUMP} -p failed: ${r.stderr}`)
  const dlls = [...r.stdout.matchAll(/DLL Name:\s*(\S+)/g)].map((m) => m[1].toLowerCase())
  const bad = dlls.filter((d) => !ALLOWED_IMPORTS.has(d) && !d.startsWith('api-ms-win-'))
  if (bad.length) throw new Error(`${file} imports ${bad.join(', ')}, which a clean Windows lacks (link with -static)`)
  return dlls
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  try {
    const file = await buildWindowsAddon({ force: process.argv.includes('--force') })
    process.stderr.write(`built ${relative(process.cwd(), file)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  } catch (e) {
    process.stderr.write(`build:win failed: ${e.message}\n`)
    process.exit(1)
  }
}
