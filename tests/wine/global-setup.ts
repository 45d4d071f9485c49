// Before the CLI tests run on Windows (vitest.wine.config.ts): compile dist-cli/ as for the Linux
// run, then fetch Windows Node, make the Wine prefix and build the Windows addon once, so no test
// pays for (or races on) the first-time set-up.
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'

export default async function setup(): Promise<void> {
  const root = resolve(__dirname, '../..')
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.cli.json')], { cwd: root, stdio: 'inherit' })
  const { prepare } = (await import(join(root, 'bin', 'wine', 'iocp-monitor-wine.mjs'))) as { prepare: (argv: string[]) => Promise<unknown> }
  await prepare([])
}
