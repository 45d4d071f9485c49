#!/usr/bin/env node
// The iocp-monitor command. The CLI is TypeScript compiled to dist-cli/ by
// `tsc -p tsconfig.cli.json` (part of `npm run build`).
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const entry = join(__dirname, '..', 'dist-cli', 'src-main', 'cli', 'main.js')
if (!existsSync(entry)) {
  process.stderr.write('iocp-monitor: the CLI is not built yet; run `npm run build` (or `npx tsc -p tsconfig.cli.json`)\n')
  process.exit(1)
}
require(entry).run(process.argv.slice(2))
