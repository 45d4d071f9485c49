#!/usr/bin/env node
// `npm test`: every suite, each in its own runner, then one summary. A suite that fails to run
// counts as failed; a skipped test is reported as skipped, never as passed.
//   IOCPM_TEST_ONLY=engine,vitest  runs a subset (names below).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Each parser returns {passed, failed, skipped} read from a runner's own closing lines. */
const parsers = {
  doctest(out) {
    const m = [...out.matchAll(/test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed\s*\|\s*(\d+) skipped/g)].pop()
    return m && { passed: +m[2], failed: +m[3], skipped: 0 }
  },
  vitest(out) {
    const line = out.split('\n').find((l) => /^\s*Tests\s+/.test(l.replace(/\x1b\[[0-9;]*m/g, '')))
    if (!line) return null
    const clean = line.replace(/\x1b\[[0-9;]*m/g, '')
    const n = (re) => +(clean.match(re)?.[1] ?? 0)
    return { passed: n(/(\d+) passed/), failed: n(/(\d+) failed/), skipped: n(/(\d+) skipped/) }
  },
  windows(out) {
    const m = [...out.matchAll(/windows: (\d+) passed, (\d+) failed/g)].pop()
    return m && { passed: +m[1], failed: +m[2], skipped: 0 }
  },
  winAddon(out) {
    const m = [...out.matchAll(/win-addon: (\d+) passed, (\d+) failed, (\d+) skipped/g)].pop()
    return m && { passed: +m[1], failed: +m[2], skipped: +m[3] }
  },
  plain(out) {
    // "name: N passed, N failed" printed by tests/typecheck.mjs, bench/stress.mjs, bench/soak.mjs and tests/prometheus/prometheus-stack.mjs
    const m = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop()
    return m && { passed: +m[1], failed: +m[2], skipped: 0 }
  },
  playwright(out) {
    const clean = out.replace(/\x1b\[[0-9;]*m/g, '')
    const n = (re) => +(clean.match(re)?.[1] ?? 0)
    const passed = n(/^\s*(\d+) passed/m)
    const failed = n(/^\s*(\d+) failed/m)
    const skipped = n(/^\s*(\d+) skipped/m)
    return passed + failed + skipped > 0 ? { passed, failed, skipped } : null
  },
}

const suites = [
  { name: 'typecheck', what: 'tsc (main, preload, shared, tests, configs), vue-tsc (renderer with .vue, shared), our .d.ts files', cmd: 'node', args: ['tests/typecheck.mjs'], parse: 'plain' },
  { name: 'engine', what: 'C++ engine + load generator tests (no Node)', cmd: 'make', args: ['-s', '-C', 'native/tests', 'run'], parse: 'doctest' },
  { name: 'asan', what: 'engine tests under ASan+UBSan', cmd: 'make', args: ['-s', '-C', 'native/tests', 'asan'], parse: 'doctest' },
  { name: 'tsan', what: 'engine tests under TSan', cmd: 'make', args: ['-s', '-C', 'native/tests', 'tsan'], parse: 'doctest' },
  { name: 'vitest', what: 'unit, addon (real sockets), component and Electron-launch tests', cmd: 'npx', args: ['vitest', 'run'], parse: 'vitest' },
  { name: 'windows', what: 'C++ engine tests for the IOCP backend, cross-compiled with mingw-w64, run under Wine', cmd: 'bash', args: ['native/win/run-wine-tests.sh'], parse: 'windows' },
  { name: 'win-addon', what: 'the Windows addon in the official Windows Node under Wine (node:test)', cmd: 'node', args: ['tests/windows/run-windows-node-tests.mjs'], parse: 'winAddon' },
  { name: 'wine-cli', what: 'the CLI tests with the command on Windows Node under Wine (serve, load, export, ui)', cmd: 'npx', args: ['vitest', 'run', '-c', 'vitest.wine.config.ts'], parse: 'vitest' },
  { name: 'stress', what: '1,000 start/stop cycles with live connections: leaks and stop time', cmd: 'node', args: ['--expose-gc', 'bench/stress.mjs', '--cycles', '1000'], parse: 'plain' },
  { name: 'soak', what: '2-minute soak under mixed load and the full fault mix', cmd: 'node', args: ['bench/soak.mjs', '--minutes', '2'], parse: 'plain' },
  { name: 'prometheus', what: 'deploy/ (scrape config, rules, Grafana dashboard) against a real Prometheus scraping two serve agents', cmd: 'node', args: ['tests/prometheus/prometheus-stack.mjs'], parse: 'plain' },
  { name: 'e2e', what: 'dashboard in Chromium against the real service and addon', cmd: 'bash', args: ['-c', 'npx electron-vite build && npx playwright test'], parse: 'playwright' },
  { name: 'e2e-wine', what: 'the dashboard e2e flows against `ui` on Windows Node under Wine', cmd: 'bash', args: ['-c', '{ test -f out/renderer/index.html || npx electron-vite build; } && npx playwright test -c playwright.wine.config.ts'], parse: 'playwright' },
]

/** The lines of a runner's output that name a failure, with a little context, at most ~60 lines. */
function failureExcerpt(out) {
  const lines = out.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  const marks = /(\bFAIL\b|✗|×|✘|AssertionError|Error:|expected|failed|Timeout|timed out)/i
  const keep = new Set()
  lines.forEach((l, i) => {
    if (!marks.test(l)) return
    for (let j = Math.max(0, i - 2); j <= Math.min(lines.length - 1, i + 4); j++) keep.add(j)
  })
  const picked = [...keep].sort((a, b) => a - b).map((i) => lines[i])
  return (picked.length ? picked : lines.slice(-40)).slice(0, 60).join('\n')
}

function run(suite) {
  return new Promise((resolve) => {
    const started = Date.now()
    let out = ''
    const child = spawn(suite.cmd, suite.args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } })
    const tee = (stream, sink) => stream.on('data', (d) => { out += d; sink.write(d) })
    tee(child.stdout, process.stdout)
    tee(child.stderr, process.stderr)
    child.on('error', (e) => { out += String(e); })
    child.on('close', (code) => resolve({ code, out, seconds: (Date.now() - started) / 1000 }))
  })
}

const only = process.env.IOCPM_TEST_ONLY?.split(',').map((s) => s.trim()).filter(Boolean)
if (!existsSync(join(root, 'native/build/Release/iocp_monitor.node'))) {
  console.log('native addon not built: running npm run build:native')
  const r = await run({ cmd: 'npm', args: ['run', 'build:native'] })
  if (r.code !== 0) process.exit(1)
}

// The CLI (dist-cli/) is used by the stress/soak hosts, the CLI tests and the e2e service.
{
  const r = await run({ cmd: 'npx', args: ['tsc', '-p', 'tsconfig.cli.json'] })
  if (r.code !== 0) {
    console.log('compiling the CLI failed')
    process.exit(1)
  }
}

// The three Linux C++ test binaries (plain, ASan, TSan) are built up front, two at a time: each is
// one compiler run on one core, and on this 2-core machine building them one after another inside
// their suites took ~4 minutes of the run. Only the builds share the CPU; the tests still run one
// suite at a time. A failed build is reported by its suite, which tries again.
const NATIVE_TEST_BINARIES = { engine: 'bin/engine_tests', asan: 'bin/engine_tests_asan', tsan: 'bin/engine_tests_tsan' }
const toBuild = Object.entries(NATIVE_TEST_BINARIES).filter(([name]) => !only || only.includes(name)).map(([, bin]) => bin)
if (toBuild.length > 1) {
  console.log(`\n=== building ${toBuild.join(', ')} (make -j2) ===`)
  const r = await run({ cmd: 'make', args: ['-s', '-j2', '-C', 'native/tests', ...toBuild] })
  console.log(`built in ${r.seconds.toFixed(0)} s (exit ${r.code})`)
}

const results = []
for (const suite of suites) {
  if (only && !only.includes(suite.name)) continue
  console.log(`\n=== ${suite.name}: ${suite.what} ===`)
  const r = await run(suite)
  const counts = parsers[suite.parse](r.out)
  const ok = r.code === 0 && counts && counts.failed === 0 && counts.passed > 0
  results.push({ suite, r, counts, ok })
}

let passed = 0, failed = 0, skipped = 0
console.log('\n=== summary ===')
for (const { suite, r, counts, ok } of results) {
  const c = counts ?? { passed: 0, failed: 0, skipped: 0 }
  passed += c.passed
  skipped += c.skipped
  // A runner that crashed or printed no counts is one failure, whatever it printed before.
  failed += ok ? 0 : Math.max(c.failed, 1)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${suite.name.padEnd(10)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped  (${r.seconds.toFixed(0)} s, exit ${r.code})`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
// CI keeps only the tail of the log: repeat what each failed suite said about its failures here.
for (const { suite, r, ok } of results) {
  if (ok) continue
  console.log(`\n--- ${suite.name}: failure lines ---`)
  console.log(failureExcerpt(r.out))
}
process.exit(failed === 0 && results.length > 0 ? 0 : 1)
