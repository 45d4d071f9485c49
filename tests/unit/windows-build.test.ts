// The pieces that put the product on Windows Node under Wine, tested on Linux: one source list
// for both Windows builds, the import library's export list, and the runner's path and argument
// translation (the runner itself is exercised end to end by the wine-cli and e2e-wine suites).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from './support/cli-process'

interface BuildModule {
  napiExports(headerDir: string): string[]
  nodeHeaderDir(): string
}
interface WineProcessModule {
  toWindowsPath(p: string, cwd?: string): string
  fromWindowsPaths(text: string): string
}
interface RunnerModule {
  translateArgs(argv: string[], cwd?: string): string[]
  PATH_FLAGS: Set<string>
}

const build = (await import(join(ROOT, 'native/win/build-addon.mjs'))) as BuildModule
const wine = (await import(join(ROOT, 'bin/wine/wine-process.mjs'))) as WineProcessModule
const runner = (await import(join(ROOT, 'bin/wine/iocp-monitor-wine.mjs'))) as RunnerModule

const sources = JSON.parse(readFileSync(join(ROOT, 'native/sources.json'), 'utf8')) as Record<'common' | 'linux' | 'win', string[]>

function ccFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? ccFiles(join(dir, e.name)) : e.name.endsWith('.cc') ? [join(dir, e.name)] : []))
}

describe('native/sources.json: one source list for node-gyp and the mingw-w64 build', () => {
  it('lists every addon source exactly once, and every listed file exists', () => {
    const listed = [...sources.common, ...sources.linux, ...sources.win]
    expect(new Set(listed).size).toBe(listed.length)
    for (const f of listed) expect(existsSync(join(ROOT, 'native', f)), f).toBe(true)
    const onDisk = ccFiles(join(ROOT, 'native/src')).map((f) => relative(join(ROOT, 'native'), f))
    expect([...listed].sort()).toEqual(onDisk.sort())
  })

  it('is what binding.gyp builds: its source lists are read from the file, not restated', () => {
    const gyp = readFileSync(join(ROOT, 'native/binding.gyp'), 'utf8')
    for (const list of ['common', 'linux', 'win']) expect(gyp).toContain(`require('./sources.json').${list}.join(' ')`)
    expect(gyp).not.toMatch(/"src\/[^"]+\.cc"/)
  })

  it('keeps platform code out of the common list', () => {
    // Platform code is a backend, or one file per platform named for it (src/attach/probe_segment_win.cc).
    for (const f of sources.common) expect(f).not.toMatch(/backends\/|_(win|posix|linux)\.cc$/)
    for (const f of sources.win) expect(f).toMatch(/backends\/iocp\/|_win\.cc$/)
    for (const f of sources.linux) expect(f).toMatch(/backends\/|_(posix|linux)\.cc$/)
  })
})

describe('the node.exe import library', () => {
  it('exports every N-API function the headers declare', () => {
    const names = build.napiExports(build.nodeHeaderDir())
    expect(names.length).toBeGreaterThan(100)
    for (const n of ['napi_create_function', 'napi_module_register', 'napi_create_async_work', 'napi_create_threadsafe_function', 'napi_get_uv_event_loop']) {
      expect(names).toContain(n)
    }
    expect(names.every((n) => /^(napi|node_api)_\w+$/.test(n))).toBe(true)
    expect([...names].sort()).toEqual(names)
  })
})

describe('npm run wine: paths between Linux and Windows Node', () => {
  it('maps Linux paths to the Z: drive and back', () => {
    expect(wine.toWindowsPath('/tmp/w.csv')).toBe('Z:\\tmp\\w.csv')
    expect(wine.toWindowsPath('out/x.csv', '/home/me')).toBe('Z:\\home\\me\\out\\x.csv')
    expect(wine.fromWindowsPaths('wrote 45 rows to Z:\\tmp\\w.csv')).toBe('wrote 45 rows to /tmp/w.csv')
    expect(wine.fromWindowsPaths("cannot read it: ENOENT: open 'Z:\\a\\b.ndjson'")).toBe("cannot read it: ENOENT: open '/a/b.ndjson'")
    expect(wine.fromWindowsPaths('listening 127.0.0.1:9000')).toBe('listening 127.0.0.1:9000')
  })

  it('translates only the file flags, in both spellings, relative to the caller', () => {
    expect([...runner.PATH_FLAGS].sort()).toEqual(['--csv', '--from', '--record', '--static'])
    expect(runner.translateArgs(['serve', '--port', '9000', '--csv', 'w.csv', '--record=/tmp/r.ndjson', '--host', '127.0.0.1'], '/work')).toEqual([
      'serve', '--port', '9000', '--csv', 'Z:\\work\\w.csv', '--record=Z:\\tmp\\r.ndjson', '--host', '127.0.0.1',
    ])
    expect(runner.translateArgs(['export', '--from', '../a.ndjson', '--csv', '/b.csv'], '/w/x')).toEqual(['export', '--from', 'Z:\\w\\a.ndjson', '--csv', 'Z:\\b.csv'])
    // A flag missing its value is left for the CLI to report (exit 2, like on Linux).
    expect(runner.translateArgs(['serve', '--csv'], '/w')).toEqual(['serve', '--csv'])
  })
})
