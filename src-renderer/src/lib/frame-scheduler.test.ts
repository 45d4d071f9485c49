// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cancelDraw, FRAME_BUDGET_MS, scheduleDraw } from './frame-scheduler'

describe('frame scheduler', () => {
  let frames: FrameRequestCallback[]
  let now: number
  beforeEach(() => {
    frames = []
    now = 0
    vi.spyOn(window, 'requestAnimationFrame').mockImplementation((cb) => {
      frames.push(cb)
      return frames.length
    })
    vi.spyOn(performance, 'now').mockImplementation(() => now)
  })
  afterEach(() => vi.restoreAllMocks())
  const runFrame = () => frames.shift()?.(now)

  it('runs each key once per request, the newest draw, within one frame when cheap', () => {
    const log: string[] = []
    const a = {}
    const b = {}
    scheduleDraw(a, () => log.push('a1'))
    scheduleDraw(b, () => log.push('b'))
    scheduleDraw(a, () => log.push('a2'))
    expect(frames).toHaveLength(1)
    runFrame()
    expect(log).toEqual(['b', 'a2'])
    expect(frames).toHaveLength(0)
  })

  it('carries draws over to the next frame once the budget is spent, oldest first', () => {
    const log: string[] = []
    const keys = [{}, {}, {}, {}]
    keys.forEach((k, i) =>
      scheduleDraw(k, () => {
        log.push(`d${i}`)
        now += FRAME_BUDGET_MS / 2 + 0.5
      }),
    )
    runFrame()
    expect(log).toEqual(['d0', 'd1'])
    runFrame()
    expect(log).toEqual(['d0', 'd1', 'd2', 'd3'])
    expect(frames).toHaveLength(0)
  })

  it('drops a cancelled draw and survives a throwing one', () => {
    const log: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const gone = {}
    scheduleDraw({}, () => {
      throw new Error('bad chart')
    })
    scheduleDraw(gone, () => log.push('gone'))
    scheduleDraw({}, () => log.push('ok'))
    cancelDraw(gone)
    runFrame()
    expect(log).toEqual(['ok'])
    expect(spy).toHaveBeenCalled()
  })
})
