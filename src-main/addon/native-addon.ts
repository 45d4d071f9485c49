// The shape of the native addon (native/src/addon/binding.cc), typed once for everything in main.
// The addon itself is untyped JavaScript to TypeScript: keep this file in step with binding.cc.
import type { ProbeListing, ProbeProblemCode } from '../../src-shared/attach'
import type { EngineConfig } from '../../src-shared/engine-config'
import type { CatalogEntry, EngineSnapshot, StartInfo } from '../../src-shared/engine-snapshot'
import type { LoadConfig, LoadCounters } from '../../src-shared/load'
import type { SessionQuery, SessionTable } from '../../src-shared/sessions'
import type { PackedSnapshot } from './snapshot-decode'

export interface NativeEngine {
  /** Binds and starts the workers off the JS thread; rejects with a NativeStartError. */
  start(config: Partial<EngineConfig>): Promise<StartInfo>
  /** Stops and joins every worker; resolves immediately when already stopped. */
  stop(): Promise<void>
  /** Synchronous and cheap; after stop it keeps returning the final totals. */
  snapshot(): EngineSnapshot
  /** The same counters packed into one Float64Array (decodeSnapshot turns it into snapshot()'s shape). */
  snapshotPacked?(): PackedSnapshot
  /** The session table (synchronous, one pass over the sessions); empty when stopped. */
  sessions(query: Required<SessionQuery>): SessionTable
  /** Closes one live session (on its own worker thread); false when no session has that id. */
  closeSession(id: number, abortive: boolean): boolean
  readonly running: boolean
}

/** The built-in load generator (native/src/addon/loadgen_wrap.cc); its threads are its own. */
export interface NativeLoadGenerator {
  /**
   * Resolves the host, test-connects once, starts the run and resolves with the final counters
   * when it ends (duration, message count or stop()). Rejects with a NativeStartError: code
   * invalid-config (field), name-not-resolved (field host), connection-refused (field port),
   * already-running, or another portable name with nativeCode/nativeName.
   */
  start(config: Partial<LoadConfig>): Promise<LoadCounters>
  /** Synchronous; the run ends within ~100 ms and start()'s promise resolves with what was done. */
  stop(): void
  /** Synchronous live counters of the current (or last) run; zeros before the first run. */
  snapshot(): LoadCounters
  readonly running: boolean
}

export interface NativeAddon {
  Engine: new () => NativeEngine
  LoadGenerator: new () => NativeLoadGenerator
  errorCatalog(): CatalogEntry[]
  /** Threads and handles (descriptors on Linux) of this process now; -1 where unreadable. */
  processResources(): { threads: number; handles: number }
  /** Every probe segment on this machine (native/probe/iocpm_probe.h), each validated. */
  probes(): ProbeListing[]
  /** Attaches to one process's probe; throws a ProbeOpenError. */
  ProbeReader: new (pid: number) => NativeProbeReader
}

export interface ProbeInfo extends ProbeListing {
  /** Probe calls the server made with a worker index it does not have (ignored by the probe). */
  badWorkerCalls: number
  exitReason?: 'closed' | 'process-exited'
}

/** A probe mapped read-only (native/src/addon/probe_wrap.cc); keeps the final counters after the writer exits. */
export interface NativeProbeReader {
  info(): ProbeInfo
  /** The engine's packed shape (decodeSnapshot reads it); one in-flight gauge, reported as recv. */
  snapshotPacked(): PackedSnapshot
  /** Unmaps the segment; later calls throw (code probe-closed). */
  close(): void
}

/** What new ProbeReader(pid) throws. */
export interface ProbeOpenError extends Error {
  code?: ProbeProblemCode | 'invalid-argument'
  /** For an OS failure (probe-permission, a failed map): errno / Win32 code and its name. */
  nativeCode?: number
  nativeName?: string
}

/** What engine.start() rejects with: an Error carrying the portable code and native details. */
export interface NativeStartError extends Error {
  /** Portable name: address-in-use, invalid-config, already-running, busy, … */
  code?: string
  nativeCode?: number
  nativeName?: string
  syscall?: string
  /** The offending config field, for invalid-config. */
  field?: string
}
