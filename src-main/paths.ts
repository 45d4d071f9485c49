// Locating files of this package at run time. The same modules run from three places — source
// (vitest: src-main/…), the compiled CLI (dist-cli/src-main/…) and Electron's bundle
// (out/main/) — so paths are found by walking up to the package root, never by a fixed depth.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const PACKAGE_NAME = 'iocp-monitor'

/** Yields `from` and each of its ancestors, nearest first. */
export function* ancestors(from: string): Generator<string> {
  let dir = from
  for (;;) {
    yield dir
    const parent = dirname(dir)
    if (parent === dir) return
    dir = parent
  }
}

function isOurPackage(dir: string): boolean {
  const file = join(dir, 'package.json')
  if (!existsSync(file)) return false
  try {
    return JSON.parse(readFileSync(file, 'utf8')).name === PACKAGE_NAME
  } catch {
    return false
  }
}

/** The directory holding this package's package.json, or null when not found. */
export function findPackageRoot(from: string = __dirname): string | null {
  for (const dir of ancestors(from)) {
    if (isOurPackage(dir)) return dir
  }
  return null
}

/** Where `npm run build` puts the renderer (served by the dashboard and loaded by Electron). */
export function defaultRendererDir(from: string = __dirname): string {
  const root = findPackageRoot(from) ?? process.cwd()
  return join(root, 'out', 'renderer')
}
