// Serving the built renderer: maps a URL path to a file strictly inside the static root.
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, join, normalize, relative } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The file for a URL path, or null when the path is malformed or escapes the root
 * (`/../`, encoded `%2e%2e`, backslashes, NUL bytes).
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const file = join(root, normalize(decoded))
  return isStrictlyInside(root, file) ? file : null
}

function isStrictlyInside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return !(rel === '' || rel.startsWith('..') || isAbsolute(rel))
}

/**
 * Reads a static file; null when it does not exist, is not a regular file, or is reached through a
 * symlink that leads out of the root (the path check above sees only the name, not where a link
 * points).
 */
export async function readStaticFile(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const file = resolveStaticPath(root, urlPath)
  if (!file) return null
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)])
    if (!isStrictlyInside(realRoot, realFile)) return null
    if (!(await stat(realFile)).isFile()) return null
    return { body: await readFile(realFile), type: contentType(file) }
  } catch {
    return null
  }
}
