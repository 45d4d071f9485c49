// The renderer under a long replay at 64 workers: a synthetic 30-minute recording (1 sample per
// second, 64 workers, in the documented NDJSON format) is opened and replayed through the real
// service at 60× while the dashboard renders every tick. The page's JS heap is measured in
// Chromium after forced GCs at intervals; it must stay flat (bounded windows, no retained ticks).
// The measurements go to test-results/replay-heap.json and the test output.
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, test } from '@playwright/test'
import WebSocket from 'ws'

const WORKERS = 64
const MINUTES = 30
const SPEED = 60

function sample(worker: number | 'all', i: number) {
  const w = typeof worker === 'number' ? worker : 0
  return {
    worker,
    queueDepth: (i + w) % 17,
    inflight: 10 + ((i * 3 + w) % 20),
    completionsTotal: i * 1000 + w,
    bytesInTotal: i * 128000 + w,
    bytesOutTotal: i * 128000 + w,
    errorsTotal: Math.floor(i / 60),
    sessions: 50,
    completionsPerS: 1000 + ((i * 7 + w) % 300),
    bytesInPerS: 128000 + ((i * 11 + w) % 5000),
    bytesOutPerS: 128000 + ((i * 13 + w) % 5000),
    errorsPerS: i % 60 === 0 ? 1 : 0,
    busy: ((i + w) % 90) / 100,
  }
}

function recording(): string {
  const start = Date.UTC(2026, 10, 26, 0, 0, 0)
  const lines = [JSON.stringify({ format: 'iocp-monitor-recording', version: 1, startedAt: start, config: null, info: null })]
  for (let i = 0; i < MINUTES * 60; i++) {
    const workers = Array.from({ length: WORKERS }, (_, w) => sample(w, i))
    lines.push(JSON.stringify({
      t: start + i * 1000,
      seq: i,
      workers,
      total: sample('all', i),
      errors: [{ code: 104, nativeName: 'ECONNRESET', name: 'connection-reset', count: Math.floor(i / 60), perS: i % 60 === 0 ? 1 : 0 }],
    }))
  }
  return lines.join('\n') + '\n'
}

/** One request over the token-protected bridge, as the page itself would send it. */
function bridgeCall(url: string, channel: string, payload: unknown): Promise<{ ok: boolean; error?: unknown }> {
  const u = new URL(url)
  const ws = new WebSocket(`ws://${u.host}/bridge?token=${u.searchParams.get('token')}`, { origin: u.origin })
  return new Promise((resolvePromise, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, channel, payload })))
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data))
      if (msg.id === 1) {
        ws.close()
        resolvePromise(msg.result)
      }
    })
    ws.on('error', reject)
  })
}

test('30-minute replay at 64 workers: the page heap stays flat', async ({ page }) => {
  test.setTimeout(120_000)
  const url = process.env.IOCPM_DASHBOARD_URL!
  await page.goto(url)
  const cdp = await page.context().newCDPSession(page)
  const heapMiB = async () => {
    await cdp.send('HeapProfiler.collectGarbage')
    const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
    return usedSize / 2 ** 20
  }

  const text = recording()
  const opened = await bridgeCall(url, 'recording:open', { text })
  expect(opened.ok, JSON.stringify(opened.error)).toBe(true)
  const started = await bridgeCall(url, 'replay:start', { speed: SPEED })
  expect(started.ok, JSON.stringify(started.error)).toBe(true)

  const samples: { s: number; heapMiB: number; ticks: number }[] = []
  const t0 = Date.now()
  const durationS = (MINUTES * 60) / SPEED
  while ((Date.now() - t0) / 1000 < durationS + 1) {
    await page.waitForTimeout(3000)
    const ticks = await page.evaluate(() => (window as unknown as { __iocpm?: { tickCount: number } }).__iocpm?.tickCount ?? -1)
    samples.push({ s: Math.round((Date.now() - t0) / 1000), heapMiB: await heapMiB(), ticks })
  }
  await bridgeCall(url, 'replay:stop', undefined)
  for (const x of samples) console.log(`replay-heap: t=${x.s}s heap ${x.heapMiB.toFixed(2)} MiB, ticks rendered ${x.ticks}`)
  // Judge from the second sample on: by then the bounded chart windows are full.
  const settled = samples.slice(1)
  const first = settled[0].heapMiB
  const last = settled[settled.length - 1].heapMiB
  const max = Math.max(...settled.map((x) => x.heapMiB))
  mkdirSync(resolve('test-results'), { recursive: true })
  writeFileSync(resolve('test-results/replay-heap.json'), JSON.stringify({ workers: WORKERS, minutes: MINUTES, speed: SPEED, samples }, null, 2))
  console.log(`replay-heap: ${MINUTES} min × ${WORKERS} workers replayed at ${SPEED}×: heap ${first.toFixed(2)} → ${last.toFixed(2)} MiB (max ${max.toFixed(2)})`)
  expect(samples[samples.length - 1].ticks).toBeGreaterThan(1000) // the page really rendered the replay
  // Flat: the recording itself is ~24 MB of JSON; retaining it (or a growing series) would show.
  expect(last).toBeLessThan(first * 1.25 + 5)
})
