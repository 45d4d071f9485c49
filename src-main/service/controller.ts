// The server's life cycle as a state machine:
//
//   stopped ─start→ starting ─ok→ running ─stop→ stopping ─→ stopped
//      ↑               └─error→ failed ─start→ starting …       │
//      └──────────────────────────────────────────────────────────┘
//
// Start and stop are serialised through one queue, so a double click or two windows can never
// interleave engine calls (the engine itself would answer `busy`, which is not something a user
// should ever see). Nothing here throws: every outcome is a Result, and an addon failure leaves
// the controller usable.
import type { ServerState, ServerStatus } from '../../src-shared/api'
import type { Result } from '../../src-shared/result'
import { validateEngineConfig, type EngineConfig } from '../../src-shared/engine-config'
import type { NativeEngine } from '../addon/native-addon'
import { apiError, toApiError } from './api-error'
import { SerialQueue } from './serial-queue'

export interface ControllerOptions {
  /**
   * Called synchronously on every state change, before the start()/stop() promise settles, so a
   * listener can start or stop sampling exactly at the transition.
   */
  onStatus?: (status: ServerStatus, previous: ServerState) => void
  /** Wall clock, epoch ms (startedAt). */
  now?: () => number
}

/** A state change plus the fields it updates (omitted fields keep their value). */
type StatusPatch = Partial<ServerStatus> & Pick<ServerStatus, 'state'>

export class ServerController {
  private current: ServerStatus = { state: 'stopped', config: null, info: null, startedAt: null, lastError: null }
  private readonly queue = new SerialQueue()
  private readonly now: () => number

  constructor(
    private readonly engine: NativeEngine,
    private readonly opts: ControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now
  }

  /** A copy: the caller may keep or change it. */
  status(): ServerStatus {
    return structuredClone(this.current)
  }

  /** Validates `input` (a partial config merged over the defaults) and starts the engine. */
  start(input: unknown): Promise<Result<ServerStatus>> {
    const v = validateEngineConfig(input)
    if (!v.ok) {
      const message = `invalid configuration: ${v.errors.map((e) => e.message).join('; ')}`
      return Promise.resolve({ ok: false, error: { code: 'invalid-config', message, fieldErrors: v.errors } })
    }
    return this.queue.run(() => this.doStart(v.value))
  }

  /** Stops the engine; stopping a stopped server succeeds and changes nothing. */
  stop(): Promise<Result<ServerStatus>> {
    return this.queue.run(() => this.doStop())
  }

  private transition(patch: StatusPatch): void {
    const previous = this.current.state
    this.current = { ...this.current, ...patch }
    try {
      this.opts.onStatus?.(this.status(), previous)
    } catch {
      // A listener's bug must not wedge the state machine half-way through a transition.
    }
  }

  private async doStart(config: EngineConfig): Promise<Result<ServerStatus>> {
    if (this.current.state === 'running') {
      return { ok: false, error: apiError('already-running', 'the server is already running; stop it first') }
    }
    this.transition({ state: 'starting', config, info: null, startedAt: null, lastError: null })
    try {
      // Promise.resolve().then: a synchronous throw from the addon becomes a rejection too.
      const info = await Promise.resolve().then(() => this.engine.start(config))
      this.transition({ state: 'running', info, startedAt: this.now() })
      return { ok: true, value: this.status() }
    } catch (err) {
      const error = toApiError(err)
      this.transition({ state: 'failed', lastError: error })
      return { ok: false, error }
    }
  }

  private async doStop(): Promise<Result<ServerStatus>> {
    if (this.current.state !== 'running') {
      // stopped or failed: nothing of ours is running. A failed start leaves nothing to stop, so
      // stop acknowledges the failure and returns to stopped (the error stays in lastError).
      if (this.current.state === 'failed') this.transition({ state: 'stopped' })
      return { ok: true, value: this.status() }
    }
    this.transition({ state: 'stopping' })
    try {
      await Promise.resolve().then(() => this.engine.stop())
      this.transition({ state: 'stopped', info: null, startedAt: null })
      return { ok: true, value: this.status() }
    } catch (err) {
      const error = toApiError(err)
      // Whatever stop managed to do, report the engine's real state rather than guess.
      const stillRunning = safeRunning(this.engine)
      this.transition({ state: stillRunning ? 'running' : 'stopped', lastError: error })
      return { ok: false, error }
    }
  }
}

function safeRunning(engine: NativeEngine): boolean {
  try {
    return engine.running
  } catch {
    return false
  }
}
