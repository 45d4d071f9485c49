// What the app creates on disk is owner-only: the config file and its folders, the atomic temp
// file (and so every file it becomes: config, CSV exports), recordings and the recordings folder.
// Real files under a umask that leaves group/other bits (checked first, so a missing mode shows).
import { statSync, writeFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { RecordingStatus } from '../../src-shared/features'
import { createApp } from '../../src-main/app'
import { ConfigStore } from '../../src-main/config/config-store'
import { AtomicFileWriter, writeFileAtomic } from '../../src-main/service/atomic-file'
import { silentLogger } from '../../src-main/service/log'
import { addon } from '../addon/support/addon'
import { tempDir } from './support/temp-dir'

const tmp = tempDir('iocpm-modes-', { each: true })

const modeOf = (path: string): number => statSync(path).mode & 0o777

describe('owner-only files and folders', () => {
  it('the umask here would leave a plain file group/other-readable (so the checks below mean something)', () => {
    writeFileSync(tmp('control'), 'x')
    expect(modeOf(tmp('control')) & 0o044).not.toBe(0)
  })

  it('the config file is 0600 and every folder created for it 0700', async () => {
    const store = new ConfigStore(tmp('outer', 'iocp-monitor'))
    await store.save((await store.load()).config)
    expect(modeOf(tmp('outer'))).toBe(0o700)
    expect(modeOf(store.dir)).toBe(0o700)
    expect(modeOf(store.path)).toBe(0o600)
  })

  it('an atomic write’s temp file is 0600 while written, and so is the file it becomes', async () => {
    const w = await AtomicFileWriter.open(tmp('export.csv'))
    expect(modeOf(w.tempPath)).toBe(0o600)
    await w.abort()
    await writeFileAtomic(tmp('export.csv'), Readable.from(['a,b\n']))
    expect(modeOf(tmp('export.csv'))).toBe(0o600)
  })

  it('a recording is 0600, and the recordings folder the app creates 0700', async () => {
    const app = await createApp({ store: null, addon, applyPrometheusConfig: false, recordingsDir: tmp('data', 'recordings'), logger: silentLogger })
    try {
      const started = await app.service.invoke('recording:start', undefined)
      expect(started).toMatchObject({ ok: true })
      const path = (started as { ok: true; value: RecordingStatus }).value.path!
      expect(modeOf(tmp('data'))).toBe(0o700)
      expect(modeOf(tmp('data', 'recordings'))).toBe(0o700)
      expect(modeOf(path)).toBe(0o600)
      await app.service.invoke('recording:stop', undefined)
      // A path main chose (Electron's dialog, serve --record) is created the same way.
      expect(await app.recording.startRecordingTo(tmp('chosen.ndjson'))).toMatchObject({ ok: true })
      expect(modeOf(tmp('chosen.ndjson'))).toBe(0o600)
    } finally {
      await app.dispose()
    }
  })
})
