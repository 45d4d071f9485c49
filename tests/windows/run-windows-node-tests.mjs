#!/usr/bin/env node
// Runs tests/windows/*.test.mts in the official Windows Node under Wine, against the Windows
// build of the addon, and prints one summary line the same way every suite does:
//   win-addon: N passed, N failed, N skipped
// Each file runs as `node.exe --test-reporter=tap FILE` (node:test in-process: the test runner's
// own child processes would talk over pipes, which Windows Node cannot use under Wine).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepare } from '../../bin/wine/iocp-monitor-wine.mjs'
import { spawnWindowsNode, toWindowsPath } from '../../bin/wine/wine-process.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const started = Date.now()
let passed = 0
let failed = 0
let skipped = 0

function finish() {
  console.log(`win-addon: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - started) / 1000).toFixed(0)} s)`)
  process.exit(failed === 0 && passed > 0 ? 0 : 1)
}

let spec
try {
  // Windows Node, the prefix, the Windows addon and dist-cli, built or fetched when missing.
  spec = await prepare([])
} catch (e) {
  console.log(`cannot prepare Windows Node under Wine: ${e.message}`)
  failed = 1
  finish()
}

// The Linux build's error catalog, so the Windows test can compare the two builds entry by entry.
const tmp = mkdtempSync(join(tmpdir(), 'iocpm-win-tests-'))
const catalogFile = join(tmp, 'linux-catalog.json')
writeFileSync(catalogFile, execFileSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(join(root, 'native/build/Release/iocp_monitor.node'))}).errorCatalog())`]))
// The stand-in probe writer for probe-reader.test.mts, as a Windows program (Windows Node cannot
// compile it). It runs in this prefix, so its named mapping is visible to the tests.
const probeCounter = join(tmp, 'probe-counter.exe')
try {
  execFileSync('x86_64-w64-mingw32-gcc', ['-std=c99', '-O2', '-Wall', '-static', '-o', probeCounter, join(root, 'tests/addon/support/probe-counter.c')], { stdio: 'inherit' })
} catch (e) {
  console.log(`cannot build probe-counter.exe: ${e.message}`)
  failed += 1
}

const files = readdirSync(here).filter((f) => f.endsWith('.test.mts')).sort()
for (const file of files) {
  console.log(`== ${file} (Windows Node under Wine)`)
  const counts = { pass: null, fail: null, skipped: 0, todo: 0 }
  const child = spawnWindowsNode(spec.nodeExe, ['--test-reporter=tap', toWindowsPath(join(here, file))], {
    cwd: root,
    env: { ...spec.env, IOCPM_LINUX_CATALOG: toWindowsPath(catalogFile), IOCPM_PROBE_COUNTER: toWindowsPath(probeCounter) },
    onStdout: (line) => {
      console.log(line)
      const m = /^# (pass|fail|skipped|todo) (\d+)$/.exec(line)
      if (m) counts[m[1]] = +m[2]
    },
    onStderr: (line) => console.error(line),
  })
  // A hang must not stall CI: a file gets 5 minutes.
  const timer = setTimeout(() => {
    console.log(`${file}: timed out after 300 s`)
    child.kill()
  }, 300_000)
  const { code } = await child.exited
  clearTimeout(timer)
  if (counts.pass === null || counts.fail === null) {
    console.log(`${file}: ended without a TAP summary (exit ${code})`)
    failed += 1
    continue
  }
  passed += counts.pass
  failed += counts.fail
  skipped += counts.skipped + counts.todo
  // A crash after the summary, or a non-zero exit with no failed test, is still a failure.
  if (code !== 0 && counts.fail === 0) failed += 1
}
rmSync(tmp, { recursive: true, force: true })
finish()
