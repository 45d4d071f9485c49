#!/usr/bin/env node
// `npm run wine -- <iocp-monitor arguments>`: the product itself — the compiled CLI, the service
// and the Windows build of the addon on a real completion port — on the official Windows Node,
// under Wine, from a Linux shell. It behaves like the Linux command: the same stdout lines
// (`listening HOST:PORT`, `dashboard URL`, the load summary), the same exit codes, Linux paths
// for files, and Ctrl-C (or SIGTERM) stops the server cleanly.
//
// Whatever is missing is built first: Windows Node (npm registry, cached outside the repo), the
// Wine prefix, the Windows addon (`npm run build:win`, incremental), the CLI (dist-cli/) and, for
// `ui`, the renderer (out/renderer/).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWindowsAddon } from '../../native/win/build-addon.mjs'
import { ensureWindowsNode } from './windows-node.mjs'
import { defaultPrefix, ensurePrefix, fromWindowsPaths, spawnWindowsNode, toWindowsPath } from './wine-process.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** CLI flags whose value is a file or folder on this machine: translated to Wine's Z: drive. */
export const PATH_FLAGS = new Set(['--csv', '--record', '--from', '--static'])

/** Rewrites Linux paths in `--flag PATH` and `--flag=PATH` to the Windows form, relative to cwd. */
export function translateArgs(argv, cwd = process.cwd()) {
  const out = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0 && PATH_FLAGS.has(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${toWindowsPath(arg.slice(eq + 1), cwd)}`)
    } else if (PATH_FLAGS.has(arg) && i + 1 < argv.length) {
      out.push(arg, toWindowsPath(argv[++i], cwd))
    } else {
      out.push(arg)
    }
  }
  return out
}

function buildIfMissing(what, file, cmd, args) {
  if (existsSync(file)) return
  process.stderr.write(`${what} is missing: running ${cmd} ${args.join(' ')}\n`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2] })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`)
}

/** Everything the Windows CLI needs; returns what to spawn. Throws with a readable message. */
export async function prepare(argv, { env = process.env } = {}) {
  const nodeExe = ensureWindowsNode({ env })
  ensurePrefix({ prefix: defaultPrefix(env) })
  const addon = await buildWindowsAddon({ log: () => undefined })
  buildIfMissing('the CLI (dist-cli/)', join(root, 'dist-cli', 'src-main', 'cli', 'main.js'), 'npx', ['tsc', '-p', 'tsconfig.cli.json'])
  if (argv[0] === 'ui' && !argv.includes('--static')) {
    buildIfMissing('the dashboard (out/renderer/)', join(root, 'out', 'renderer', 'index.html'), 'npx', ['electron-vite', 'build'])
  }
  const childEnv = { ...env, IOCP_MONITOR_ADDON: toWindowsPath(addon) }
  // The config folder (alert rules, recordings) follows XDG_CONFIG_HOME when the caller set one.
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) childEnv.XDG_CONFIG_HOME = toWindowsPath(env.XDG_CONFIG_HOME)
  return { nodeExe, args: [toWindowsPath(join(root, 'bin', 'iocp-monitor.cjs')), ...translateArgs(argv)], env: childEnv }
}

async function main(argv) {
  let spec
  try {
    spec = await prepare(argv)
  } catch (e) {
    process.stderr.write(`iocp-monitor (wine): ${e.message}\n`)
    return 1
  }
  const child = spawnWindowsNode(spec.nodeExe, spec.args, {
    env: spec.env,
    onStdout: (line) => process.stdout.write(fromWindowsPaths(line) + '\n'),
    onStderr: (line) => process.stderr.write(fromWindowsPaths(line) + '\n'),
  })
  // `npm run` forwards a terminal's Ctrl-C to us as well, so one keypress may arrive twice within
  // a few ms: pass on one per second, so the CLI's "second signal = exit now" means a second press.
  let lastSignal = 0
  const forward = () => {
    const now = Date.now()
    if (now - lastSignal < 1000) return
    lastSignal = now
    child.interrupt()
  }
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  process.on('SIGHUP', forward)
  const { code, signal } = await child.exited
  if (signal) process.stderr.write(`iocp-monitor (wine): Windows Node ended by ${signal}\n`)
  return code ?? 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2))
}
