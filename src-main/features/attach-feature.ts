// The attach feature: discovery of the probes other processes publish (probes:list and the
// probes:changed event) and attaching to one (attach:start/stop/status). Attached, the process is
// the server feature's snapshot source: the same sampler, history ring and metrics:tick, so charts,
// CSV, alerts, recording and /metrics follow it unchanged. When the process exits (closed its probe,
// or died), the sample that saw it exit carries its final counters; sampling stops there and the
// history stays, so an export afterwards is complete.
import type { AttachRequest, AttachStatus, ProbeListing } from '../../src-shared/attach'
import { DETACHED_STATUS } from '../../src-shared/attach'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { EngineSnapshot } from '../../src-shared/engine-snapshot'
import type { Result } from '../../src-shared/result'
import type { NativeAddon, NativeProbeReader, ProbeInfo } from '../addon/native-addon'
import { decodeSnapshot } from '../addon/snapshot-decode'
import { apiError, toApiError } from '../service/api-error'
import type { MonitorService } from '../service/monitor-service'
import type { ServerFeature } from './server-feature'

type AttachChannel = 'probes:list' | 'attach:start' | 'attach:stop' | 'attach:status'

/** How often discovery looks for probes that appeared or exited. */
export const PROBE_POLL_MS = 1000

export interface AttachFeatureOptions {
  now: () => number
  /** Discovery interval in ms (default PROBE_POLL_MS); 0 = only when asked. */
  pollMs?: number
}

function listingKey(list: readonly ProbeListing[]): string {
  return JSON.stringify(list.map((p) => [p.pid, p.name, p.state, p.port, p.problem?.code ?? '']))
}

/** "seed-echo (pid 42)": how messages name a probe. */
export function describeProbe(p: Pick<ProbeListing, 'name' | 'pid'>): string {
  return `${p.name || '?'} (pid ${p.pid})`
}

export class AttachFeature {
  private reader: NativeProbeReader | null = null
  private current: AttachStatus = { ...DETACHED_STATUS }
  private listing: ProbeListing[] = []
  private lastKey = ''
  private poll: ReturnType<typeof setInterval> | null = null
  private exitSeen = false
  private disposed = false
  private readonly now: () => number

  constructor(
    private readonly service: MonitorService,
    private readonly addon: Pick<NativeAddon, 'probes' | 'ProbeReader'>,
    private readonly server: Pick<ServerFeature, 'beginAttach' | 'endAttach'>,
    opts: AttachFeatureOptions,
  ) {
    this.now = opts.now
    const pollMs = opts.pollMs ?? PROBE_POLL_MS
    if (pollMs > 0) {
      this.poll = setInterval(() => this.listProbes(), pollMs)
      // Discovery never keeps a process alive on its own.
      this.poll.unref?.()
    }
  }

  handlers(): Pick<ChannelHandlers, AttachChannel> {
    return {
      'probes:list': async () => this.listProbes(),
      'attach:start': async (req) => this.attach(req),
      'attach:stop': async () => this.detach(),
      'attach:status': async () => ({ ok: true, value: this.status() }),
    }
  }

  status(): AttachStatus {
    return structuredClone(this.current)
  }

  /** The port the attached server said it listens on: where the load generator aims by default. */
  loadTarget(): { host: string; port: number } | null {
    const p = this.current.state === 'attached' ? this.current.probe : null
    return p && p.port > 0 ? { host: '127.0.0.1', port: p.port } : null
  }

  listProbes(): Result<ProbeListing[]> {
    try {
      return { ok: true, value: this.refresh() }
    } catch (err) {
      const error = toApiError(err)
      this.service.warnings.warnOnce('probes', `probe discovery failed: ${error.message}`)
      return { ok: false, error }
    }
  }

  /** Attaches to one probe (detaching from the one attached before, after its final sample). */
  attach(req: AttachRequest): Result<AttachStatus> {
    if (this.disposed) return { ok: false, error: apiError('disposed', 'the application is shutting down') }
    const pid = 'pid' in req ? { ok: true as const, value: req.pid } : this.pidForName(req.name)
    if (!pid.ok) return this.failed(pid.error)
    let reader: NativeProbeReader
    try {
      reader = new this.addon.ProbeReader(pid.value)
    } catch (err) {
      return this.failed(toApiError(err))
    }
    const info = reader.info()
    if (info.state === 'exited') {
      reader.close()
      return this.failed(apiError('probe-exited', `${describeProbe(info)} has exited; its probe is left over from a process that ended without closing it`))
    }
    if (this.reader) {
      // Switching processes: the previous one gets its final sample first.
      this.closeReader(true)
      this.current = { ...this.current, state: 'detached' }
    }
    const begun = this.server.beginAttach(() => this.sample(reader), describeProbe(info))
    if (!begun.ok) {
      reader.close()
      return this.failed(begun.error)
    }
    this.reader = reader
    this.exitSeen = false
    this.setStatus({ state: 'attached', probe: this.publicInfo(info), attachedAt: this.now(), exitedAt: null, exitReason: null, lastError: null })
    return { ok: true, value: this.status() }
  }

  /** Back to the built-in server; the attached run's history and final sample stay. */
  detach(): Result<AttachStatus> {
    if (this.reader) {
      this.closeReader(true)
      this.setStatus({ ...this.current, state: 'detached' })
    }
    return { ok: true, value: this.status() }
  }

  /** Stops discovery and detaches (with a final sample). Idempotent. */
  dispose(): void {
    this.disposed = true
    if (this.poll) clearInterval(this.poll)
    this.poll = null
    this.detach()
  }

  /** Reads the probe list now; publishes probes:changed when it differs from the last one. */
  private refresh(): ProbeListing[] {
    this.listing = this.addon.probes().sort((a, b) => a.name.localeCompare(b.name) || a.pid - b.pid)
    const key = listingKey(this.listing)
    if (key !== this.lastKey) {
      this.lastKey = key
      this.service.publish('probes:changed', structuredClone(this.listing))
    }
    return structuredClone(this.listing)
  }

  private pidForName(name: string): Result<number> {
    const found = this.refresh().filter((p) => p.name === name)
    const live = found.filter((p) => p.state === 'running' && !p.problem)
    if (live.length === 1) return { ok: true, value: live[0]!.pid }
    if (live.length > 1) {
      return { ok: false, error: apiError('probe-ambiguous', `${live.length} processes publish a probe named ${name} (pids ${live.map((p) => p.pid).join(', ')}): attach by pid`) }
    }
    const broken = found.find((p) => p.problem)
    if (broken) return { ok: false, error: apiError(broken.problem!.code, `${describeProbe(broken)}: ${broken.problem!.message}`) }
    const others = this.listing.filter((p) => p.state === 'running' && !p.problem).map(describeProbe)
    const seen = others.length ? `probes found: ${others.join(', ')}` : 'no probes found on this machine'
    return { ok: false, error: apiError('probe-not-found', `no running probe named ${name} (${seen})`) }
  }

  /**
   * The sampler's snapshot source while attached. The sample that first sees the process gone is
   * still returned (it holds the final counters); the exit is handled right after it.
   */
  private sample(reader: NativeProbeReader): EngineSnapshot {
    const snap = decodeSnapshot(reader.snapshotPacked())
    if (!snap.running && !this.exitSeen && reader === this.reader) {
      this.exitSeen = true
      setImmediate(() => this.exited(reader))
    }
    return snap
  }

  private exited(reader: NativeProbeReader): void {
    if (reader !== this.reader) return
    const info = reader.info()
    this.closeReader(false)
    this.setStatus({
      state: 'exited',
      probe: this.publicInfo(info),
      attachedAt: this.current.attachedAt,
      exitedAt: this.now(),
      exitReason: info.exitReason ?? 'process-exited',
      lastError: null,
    })
    this.service.logger.info(`attached process ${describeProbe(info)} exited (${info.exitReason ?? 'process-exited'})`)
    this.refresh()
  }

  private closeReader(finalSample: boolean): void {
    if (!this.reader) return
    this.server.endAttach(finalSample)
    this.reader.close()
    this.reader = null
  }

  /** ProbeListing fields only (the reader's info carries more). */
  private publicInfo(info: ProbeInfo): ProbeListing {
    const { pid, name, workers, layoutVersion, startMs, port, platform, state } = info
    return { pid, name, workers, layoutVersion, startMs, port, platform, state }
  }

  private failed(error: AttachStatus['lastError'] & object): Result<AttachStatus> {
    this.setStatus({ ...this.current, lastError: error })
    return { ok: false, error }
  }

  private setStatus(s: AttachStatus): void {
    this.current = s
    this.service.publish('attach:status-changed', this.status())
  }
}
