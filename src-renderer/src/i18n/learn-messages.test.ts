// Every explanation of the "How it works" tab exists in both languages and says something: a
// topic added to the diagram without its texts, or a Korean text left empty, fails here. Each
// message is also run through vue-i18n with its parameters, so a stray brace or "|" (message
// syntax) cannot ship as a broken sentence.
// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { API_TOPICS, BACKENDS, STAGES } from '../components/how-it-works/pipeline-model'
import { createAppI18n } from '.'
import learnEn from './learn-en'
import learnKo from './learn-ko'
import { messageLeaves, type MessageTree } from '../testing/message-leaves'


const LANGS = { en: messageLeaves(learnEn as unknown as MessageTree), ko: messageLeaves(learnKo as unknown as MessageTree) }

/** The keys each kind of topic must have (stages also one "on" text per backend, and one for the probe). */
function requiredKeys(): string[] {
  const keys: string[] = []
  for (const s of STAGES) {
    for (const f of ['title', 'what', 'now', 'healthy', 'unhealthy', 'calls']) keys.push(`topics.${s}.${f}`)
    for (const b of BACKENDS) keys.push(`topics.${s}.on.${b}`)
    // How an attached process's probe makes the box's number (or that it has none).
    keys.push(`topics.${s}.probe`)
    keys.push(`stage.${s}`)
  }
  for (const a of API_TOPICS) for (const f of ['title', 'what', 'calls']) keys.push(`topics.${a}.${f}`)
  return keys
}

describe('How it works texts', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(Object.keys(LANGS) as (keyof typeof LANGS)[])('has every explanation key in %s, none empty', (lang) => {
    const texts = LANGS[lang]
    const missing = requiredKeys().filter((k) => !texts.has(k))
    expect(missing, `missing in ${lang}`).toEqual([])
    const empty = [...texts].filter(([, v]) => v.trim() === '').map(([k]) => k)
    expect(empty, `empty in ${lang}`).toEqual([])
  })

  it('has the same keys in English and Korean', () => {
    expect([...LANGS.ko.keys()].sort()).toEqual([...LANGS.en.keys()].sort())
  })

  it('names the calls the brief asks about, in both languages', () => {
    for (const texts of Object.values(LANGS)) {
      expect(texts.get('topics.wsaRecv.what')).toContain('ERROR_IO_PENDING')
      expect(texts.get('topics.gqcs.calls')).toMatch(/FALSE[\s\S]*OVERLAPPED[\s\S]*WAIT_TIMEOUT/)
      expect(texts.get('topics.soLinger.what')).toContain('RST')
      expect(texts.get('topics.shutdown.calls')).toContain('SD_BOTH')
      expect(texts.get('topics.htons.what')).toMatch(/htons[\s\S]*htonl/)
      expect(texts.get('topics.wsaSocket.calls')).toContain('WSA_FLAG_OVERLAPPED')
      expect(texts.get('topics.createIoCompletionPort.what')).toMatch(/INVALID_HANDLE_VALUE[\s\S]*concurrency/)
      expect(texts.get('topics.workerThreads.calls')).toContain('join()')
    }
  })

  it('names the probe call behind each box of an attached process, and says what the probe cannot see, in both languages', () => {
    const feeds: Record<string, RegExp> = {
      sessions: /iocpm_session_opened[\s\S]*iocpm_session_closed/,
      inflight: /iocpm_set_inflight/,
      queue: /iocpm_set_queue_depth/,
      workers: /iocpm_count_completion[\s\S]*iocpm_count_busy/,
      clients: /iocpm_count_recv[\s\S]*iocpm_count_send/,
      handlers: /iocpm_count_recv[\s\S]*iocpm_count_send/,
      sendQueues: /iocpm_count_send/,
      errors: /iocpm_count_error/,
    }
    for (const texts of Object.values(LANGS)) {
      for (const [stage, re] of Object.entries(feeds)) expect(texts.get(`topics.${stage}.probe`), stage).toMatch(re)
      for (const a of API_TOPICS.filter((t) => t.startsWith('probe'))) expect(`${texts.get(`topics.${a}.what`)} ${texts.get(`topics.${a}.calls`)}`, a).toMatch(/iocpm_[a-z_]+\(/)
    }
    expect(LANGS.en.get('topics.sendQueues.probe')).toContain('no send-queue data')
    expect(LANGS.ko.get('topics.sendQueues.probe')).toContain('송신 큐 데이터가 없습니다')
  })

  it('renders every message through vue-i18n with its parameters, in both languages', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    // Any {name} a message asks for gets a value; a literal brace would survive or fail to compile.
    const params = new Proxy({}, { get: (_t, k) => (typeof k === 'string' ? `<${k}>` : undefined), has: () => true })
    for (const lang of ['en', 'ko'] as const) {
      const i18n = createAppI18n(lang)
      for (const [key, raw] of LANGS[lang]) {
        const out = i18n.global.t(`learn.${key}`, params as Record<string, unknown>)
        expect(out, `${lang} learn.${key}`).not.toBe(`learn.${key}`)
        expect(out, `${lang} learn.${key}`).not.toMatch(/[{}]/)
        expect(out.length, `${lang} learn.${key}`).toBeGreaterThanOrEqual(Math.min(raw.length, 1))
      }
    }
    expect(warn).not.toHaveBeenCalled()
    expect(err).not.toHaveBeenCalled()
  })
})
