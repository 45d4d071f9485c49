#!/usr/bin/env node
// `npm start` (after `npm run build`): the Electron app when its binary is present and a display
// exists; otherwise one plain line saying why, and the same dashboard served to a browser on
// 127.0.0.1 (`iocp-monitor ui`). Extra arguments go to `ui` (e.g. `npm start -- --port 8080`).
'use strict'
const { spawn } = require('node:child_process')
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { displayProblem, findElectronBinary } = require('./electron-binary.cjs')

const root = join(__dirname, '..')

function runBrowserDashboard(reason) {
  process.stderr.write(`Electron binary not available here (${reason}); serving the dashboard in your browser instead\n`)
  const cli = join(root, 'dist-cli', 'src-main', 'cli', 'main.js')
  if (!existsSync(cli)) {
    process.stderr.write('iocp-monitor: the CLI is not built yet; run `npm run build`\n')
    process.exit(1)
  }
  require(cli).run(['ui', ...process.argv.slice(2)])
}

function runElectron(binary) {
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
    process.stderr.write('iocp-monitor: the app is not built yet; run `npm run build`\n')
    process.exit(1)
  }
  const env = { ...process.env }
  // Inherited from some tool environments, it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE
  const child = spawn(binary, [root], { stdio: 'inherit', env })
  child.once('error', (err) => runBrowserDashboard(`it failed to launch: ${err.message}`))
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s))
}

const found = findElectronBinary()
if ('reason' in found) runBrowserDashboard(found.reason)
else {
  const noDisplay = displayProblem()
  if (noDisplay) runBrowserDashboard(noDisplay)
  else runElectron(found.path)
}
