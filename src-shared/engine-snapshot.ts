// What the native engine reports. Field names are shared by the addon's snapshot(), the Windows
// test program's --serve JSON lines and everything derived from them.

export interface ErrorCount {
  /** Native number: errno on Linux, WSA code / Win32 error / NTSTATUS on Windows. */
  code: number
  /** Native symbolic name, e.g. ECONNRESET or WSAECONNRESET. */
  nativeName: string
  /** Portable name from the catalog, e.g. connection-reset. */
  name: string
  count: number
}

export interface InflightOps {
  accept: number
  recv: number
  send: number
}

/** Cumulative counters and gauges for one worker thread since the server started. */
export interface WorkerCounters {
  worker: number
  /** Completions posted to this worker's queue and not yet taken (gauge; per backend in the README). */
  queueDepth: number
  inflight: InflightOps
  completions: number
  accepts: number
  closes: number
  sessions: number
  bytesIn: number
  bytesOut: number
  busyNs: number
  errors: ErrorCount[]
}

export interface EngineSnapshot {
  /** Monotonic clock of the engine in nanoseconds (only differences are meaningful). */
  monoNs: number
  running: boolean
  workers: WorkerCounters[]
}

export interface StartInfo {
  backend: 'iouring' | 'epoll' | 'iocp'
  /** Why the requested/auto backend was not used, when a fallback happened. */
  fallbackReason?: string
  host: string
  port: number
  workers: number
  /** Backend features actually in use, e.g. multishot-accept, provided-buffers. */
  features: string[]
}

export interface CatalogEntry {
  name: string
  en: string
  ko: string
}
