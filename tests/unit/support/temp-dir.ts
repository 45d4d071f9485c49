// A scratch directory for the enclosing describe (or file): created before its tests — once, or
// afresh for each test with { each: true } — and removed after. Returns a path builder:
// tmp() is the directory, tmp('a', 'b.csv') a path inside it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export function tempDir(prefix: string, { each = false }: { each?: boolean } = {}): (...parts: string[]) => string {
  let dir: string | null = null
  ;(each ? beforeEach : beforeAll)(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
  })
  ;(each ? afterEach : afterAll)(() => rmSync(dir!, { recursive: true, force: true }))
  return (...parts) => {
    if (dir === null) throw new Error(`tempDir('${prefix}') is used before its beforeAll/beforeEach ran`)
    return join(dir, ...parts)
  }
}
