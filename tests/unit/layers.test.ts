// The layers' import rules (the design notes, ../shared/DESIGN.md, "Layers with enforced imports", as VS Code enforces its
// own): every .ts/.mts/.vue file under the four source roots is read with the TypeScript scanner
// (ts.preProcessFile: import, import type, export-from, dynamic import(), require), and each
// specifier is resolved to a project file, a package or a Node builtin. Type-only imports count:
// they tie a layer's source to another layer as much as value imports do, and a cycle of them is
// still a cycle. Each failure names the importing file and the specifier as written.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../..')
const SOURCE_ROOTS = ['src-shared', 'src-main', 'src-preload', 'src-renderer']

type Target =
  | { kind: 'file'; path: string }
  | { kind: 'package'; name: string }
  | { kind: 'builtin' }
  | { kind: 'unresolved' }

interface Import {
  from: string
  specifier: string
  target: Target
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`
    if (e.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|vue)$/.test(e.name) ? [path] : []
  })
}

/** A .vue file's code is its <script> and <script setup> blocks. */
function code(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8')
  if (!file.endsWith('.vue')) return text
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
}

function isFile(path: string): boolean {
  try {
    return statSync(join(ROOT, path)).isFile()
  } catch {
    return false
  }
}

/** What the bundler and the Node16 build would load: the path itself, a TS extension, an index. */
function resolveRelative(from: string, specifier: string): Target {
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier.replace(/\?.*$/, '')))
  const jsAsTs = base.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts')
  const candidates = [base, jsAsTs, ...['.ts', '.mts', '.d.ts', '.vue', '/index.ts'].map((ext) => base + ext)]
  const path = candidates.find(isFile)
  return path ? { kind: 'file', path } : { kind: 'unresolved' }
}

function resolveSpecifier(from: string, specifier: string): Target {
  if (specifier.startsWith('.')) return resolveRelative(from, specifier)
  if (isBuiltin(specifier)) return { kind: 'builtin' }
  const parts = specifier.split('/')
  return { kind: 'package', name: parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/') }
}

const files = SOURCE_ROOTS.flatMap(sourceFiles)
const imports: Import[] = files.flatMap((from) =>
  ts.preProcessFile(code(from), true, true).importedFiles.map(({ fileName: specifier }) => ({
    from,
    specifier,
    target: resolveSpecifier(from, specifier),
  })),
)

const under = (dir: string) => (path: string) => path.startsWith(`${dir}/`)
const isFileUnder = (t: Target, ...dirs: string[]) => t.kind === 'file' && dirs.some((d) => under(d)(t.path))
const isPackage = (t: Target, name?: string) => t.kind === 'package' && (name === undefined || t.name === name)

interface Rule {
  name: string
  /** Which importing files the rule is about. */
  applies: (file: string) => boolean
  allows: (target: Target) => boolean
}

const RULES: Rule[] = [
  {
    name: 'src-renderer/ imports only src-renderer/ and src-shared/ files and browser packages (no node: builtins, no electron)',
    applies: under('src-renderer'),
    allows: (t) => isFileUnder(t, 'src-renderer', 'src-shared') || (isPackage(t) && !isPackage(t, 'electron')),
  },
  {
    name: 'src-shared/ imports only src-shared/ files: no packages, no node: builtins (it runs in every process)',
    applies: under('src-shared'),
    allows: (t) => isFileUnder(t, 'src-shared'),
  },
  {
    name: 'electron is imported only in src-main/electron/ and src-preload/',
    applies: (f) => !under('src-main/electron')(f) && !under('src-preload')(f),
    allows: (t) => !isPackage(t, 'electron'),
  },
  {
    name: 'src-main/ never imports src-renderer/ or src-preload/',
    applies: under('src-main'),
    allows: (t) => !isFileUnder(t, 'src-renderer', 'src-preload'),
  },
  {
    name: 'src-preload/ imports only src-shared/ (and its own files) and electron',
    applies: under('src-preload'),
    allows: (t) => isFileUnder(t, 'src-preload', 'src-shared') || isPackage(t, 'electron'),
  },
]

const describeImport = (i: Import) => `${i.from} imports '${i.specifier}'`

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort())
  }
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v)
  return found
}

/** One concrete loop through a component, for the message: its first file back to itself. */
function exampleLoop(component: string[], edges: Map<string, Set<string>>): string[] {
  const start = component[0]
  const inside = new Set(component)
  const previous = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()!
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue
      if (w === start) {
        const loop = [start]
        for (let u = v; u !== start; u = previous.get(u)!) loop.splice(1, 0, u)
        return [...loop, start]
      }
      if (!previous.has(w)) {
        previous.set(w, v)
        queue.push(w)
      }
    }
  }
  return component
}

describe('layers: import rules between src-shared, src-main, src-preload and src-renderer', () => {
  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(imports.length).toBeGreaterThan(files.length)
  })

  it('every relative import resolves to a file', () => {
    expect(imports.filter((i) => i.target.kind === 'unresolved').map(describeImport)).toEqual([])
  })

  for (const rule of RULES) {
    it(rule.name, () => {
      // An unresolved import is the test above's failure, not every rule's.
      const broken = imports.filter((i) => rule.applies(i.from) && i.target.kind !== 'unresolved' && !rule.allows(i.target))
      expect(broken.map(describeImport)).toEqual([])
    })
  }

  it('no import cycles among project files (type-only imports count)', () => {
    const edges = new Map<string, Set<string>>(files.map((f) => [f, new Set()]))
    for (const i of imports) if (i.target.kind === 'file' && edges.has(i.target.path)) edges.get(i.from)!.add(i.target.path)
    const found = cycles(edges).map((c) => `${c.length} files: ${c.join(', ')} (e.g. ${exampleLoop(c, edges).join(' → ')})`)
    expect(found).toEqual([])
  })
})
