// Electron's security checklist, item 16: use a current version of Electron. Electron supports the
// newest three stable majors (https://www.electronjs.org/docs/latest/tutorial/electron-timelines);
// the one installed from package-lock.json must be among them, checked against the npm registry's
// `latest` tag (the registry is what `npm ci` installs from, so it is reachable wherever the tests
// run). A new major a few releases ahead of us makes this fail on purpose: time to upgrade.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const major = (v: string): number => Number(/^(\d+)\./.exec(v)?.[1] ?? NaN)

describe('Electron version (security checklist item 16)', () => {
  it('the installed Electron is one of the three newest stable majors, and package.json asks for that major', () => {
    const installed = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version
    const r = spawnSync('npm', ['view', 'electron', 'dist-tags.latest'], { encoding: 'utf8', timeout: 60_000 })
    expect(r.status, `npm view electron dist-tags.latest: ${r.error?.message ?? r.stderr}`).toBe(0)
    const latest = r.stdout.trim()
    expect(latest).toMatch(/^\d+\.\d+\.\d+$/)
    expect(major(installed), `installed ${installed}, latest stable ${latest}`).toBeGreaterThan(major(latest) - 3)
    const wanted = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron
    expect(major(wanted.replace(/^[^\d]*/, ''))).toBe(major(installed))
  }, 90_000)
})
