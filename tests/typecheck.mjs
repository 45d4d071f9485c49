#!/usr/bin/env node
// The type check, one check per TypeScript project, ending with the summary line every suite
// prints:   typecheck: N passed, N failed
//   tsconfig.json      main, preload, shared, every test (tests/**) and the tool configs; Node types
//   tsconfig.web.json  the renderer with its .vue files and component tests, and shared; DOM only
//   tsconfig.dts.json  our own .d.ts files (window.api, the .vue module shim)
// `npm run typecheck` and the `typecheck` suite of `npm test` both run this file. The checkers
// run side by side; each one's output is printed whole once it has finished.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PROJECTS = [
  { config: 'tsconfig.json', checker: 'node_modules/typescript/bin/tsc' },
  { config: 'tsconfig.web.json', checker: 'node_modules/vue-tsc/bin/vue-tsc.js' },
  { config: 'tsconfig.dts.json', checker: 'node_modules/typescript/bin/tsc' },
]

function check({ config, checker }) {
  return new Promise((resolve) => {
    let out = ''
    const child = spawn(process.execPath, [join(root, checker), '--noEmit', '-p', config], { cwd: root })
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', (e) => resolve({ config, ok: false, out: String(e) }))
    child.on('close', (code) => resolve({ config, ok: code === 0, out }))
  })
}

const started = Date.now()
const results = await Promise.all(PROJECTS.map(check))
for (const { config, ok, out } of results) {
  process.stdout.write(out)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${config}`)
}
const failed = results.filter((r) => !r.ok).length
console.log(`typecheck: ${results.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`)
process.exit(failed === 0 ? 0 : 1)
