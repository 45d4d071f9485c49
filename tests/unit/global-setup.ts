// Runs once before any test file: compiles the CLI (dist-cli/) from the current sources, because
// the CLI and `npm start` fallback tests spawn the real bin/ scripts, which run the compiled code.
// Doing it here, not per file, keeps parallel test files from compiling over each other.
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'

export default function setup(): void {
  const root = resolve(__dirname, '../..')
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.cli.json')], { cwd: root, stdio: 'inherit' })
}
