// Every message key exists in both languages with a non-empty text, and every `sessions.*` key the
// Sessions components and the export dialog name literally is defined.
import { describe, expect, it } from 'vitest'
import en from './en'
import ko from './ko'
import { messageLeaves, type MessageTree } from '../testing/message-leaves'


describe('i18n', () => {
  const enKeys = messageLeaves(en as unknown as MessageTree)
  const koKeys = messageLeaves(ko as unknown as MessageTree)

  it('has every key in English and Korean, none empty, with the same placeholders', () => {
    expect([...koKeys.keys()].sort()).toEqual([...enKeys.keys()].sort())
    for (const [k, v] of enKeys) {
      expect(v.trim(), `en ${k}`).not.toBe('')
      expect(koKeys.get(k)!.trim(), `ko ${k}`).not.toBe('')
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      expect(names(koKeys.get(k)!), `placeholders of ${k}`).toEqual(names(v))
    }
  })

  it('defines every sessions.* key the Sessions tab uses', () => {
    // The sources as text through Vite (the renderer's tests use no Node builtins: layer rule).
    const sources = import.meta.glob<string>(['../components/sessions/*.vue', '../components/ExportDialog.vue'], { query: '?raw', import: 'default', eager: true })
    expect(Object.keys(sources).length).toBeGreaterThan(5)
    const used = new Set<string>()
    for (const text of Object.values(sources)) for (const m of text.matchAll(/'(sessions\.[\w.-]+)'/g)) used.add(m[1])
    expect(used.size).toBeGreaterThan(20)
    for (const k of used) expect(enKeys.has(k), k).toBe(true)
    // Keys built from a value: every column, state and detail outcome.
    for (const c of ['remote', 'worker', 'age', 'bytesIn', 'bytesOut', 'rateIn', 'rateOut', 'sendQueue', 'state', 'lastError']) expect(enKeys.has(`sessions.col.${c}`)).toBe(true)
    for (const s of ['open', 'half-closed', 'closing']) expect(enKeys.has(`sessions.state.${s}`)).toBe(true)
    for (const o of ['closedGraceful', 'closedAbortive', 'gone', 'stopped', 'notAvailable', 'loading', 'empty', 'noMatch']) expect(enKeys.has(o.startsWith('closed') || o === 'gone' ? `sessions.detail.${o}` : `sessions.${o}`), o).toBe(true)
  })
})
