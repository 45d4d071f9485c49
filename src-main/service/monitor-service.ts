// The channel router and event bus between the transports and the feature modules. Electron's IPC
// handlers, the WebSocket bridge and the CLI all drive this one object, so the renderer sees the
// same behaviour in both modes; every feature (src-main/features) registers its handlers and
// publishes its events here. Every payload is validated here, once, by the validator the contract
// names for its channel (src-shared/validate): a handler only ever gets a valid payload, and every
// call resolves with a Result — nothing throws into a caller.
import { EventEmitter } from 'node:events'
import type { ChannelHandlers, EventChannel, InvokeChannel, PayloadOf } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import { validatePayload } from '../../src-shared/validate'
import { apiError, toApiError } from './api-error'
import { consoleLogger, OnceLogger, type Logger } from './log'

export interface MonitorServiceOptions {
  logger?: Logger
}

/** The service's events are the contract's (src-shared/contract.ts EVENTS), one payload each. */
export type MonitorServiceEvents = { [E in EventChannel]: [PayloadOf<E>] }

type AnyHandler = (payload: never) => Promise<Result<unknown>>

export class MonitorService extends EventEmitter<MonitorServiceEvents> {
  readonly logger: Logger
  /** Warnings that a misbehaving client or a failing timer could repeat: each printed once. */
  readonly warnings: OnceLogger
  private readonly handlers = new Map<InvokeChannel, AnyHandler>()

  constructor(opts: MonitorServiceOptions = {}) {
    super()
    this.logger = opts.logger ?? consoleLogger
    this.warnings = new OnceLogger(this.logger)
  }

  /** Makes `handler` answer `channel` (one feature per channel); returns the unregistration. */
  handle<C extends InvokeChannel>(channel: C, handler: ChannelHandlers[C]): () => void {
    this.handlers.set(channel, handler)
    return () => {
      if (this.handlers.get(channel) === handler) this.handlers.delete(channel)
    }
  }

  /** Dispatches by channel name to the registered handler (the bridge's path and Electron's). */
  invoke(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>> {
    return this.invokeWith(channel, payload, this.handlers.get(channel) as ChannelHandlers[InvokeChannel] | undefined)
  }

  /**
   * Answers `channel` with `handler` instead of the registered one (Electron's own flavours: the
   * file dialogs), validated exactly as invoke() validates. No handler: "not available here".
   */
  async invokeWith<C extends InvokeChannel>(channel: C, payload: unknown, handler: ChannelHandlers[C] | undefined): Promise<Result<unknown>> {
    // Invalid payloads are logged once per distinct problem (a misbehaving client must not flood
    // the log) and come back as an error Result.
    const v = validatePayload(channel, payload)
    if (!v.ok) {
      if (v.error.code === 'invalid-message') this.warnings.warnOnce(`${channel}\u0000${v.error.message}`, `rejected ${v.error.message}`)
      return v
    }
    if (!handler) return { ok: false, error: apiError('unavailable', `${channel} is not available here`) }
    try {
      return await (handler as (p: unknown) => Promise<Result<unknown>>)(v.value)
    } catch (err) {
      return { ok: false, error: toApiError(err) }
    }
  }

  /**
   * Sends an event to every transport (bridge, window) and main's own listeners. Events are often
   * emitted from a timer: a throwing listener (say, a window that just closed) is logged, never an
   * uncaught exception that ends the process.
   */
  publish<K extends EventChannel>(event: K, payload: PayloadOf<K>): void {
    try {
      ;(this.emit as (e: K, p: PayloadOf<K>) => boolean)(event, payload)
    } catch (err) {
      this.warnings.warnOnce(`listener:${event}`, `a ${event} listener failed: ${(err as Error)?.message ?? err}`)
    }
  }
}
