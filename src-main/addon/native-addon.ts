// The shape of the native addon (native/src/addon/binding.cc), typed once for everything in main.
// The addon itself is untyped JavaScript to TypeScript: keep this file in step with binding.cc.
import type { EngineConfig } from '../../src-shared/engine-config'
import type { CatalogEntry, EngineSnapshot, StartInfo } from '../../src-shared/engine-snapshot'

export interface NativeEngine {
  /** Binds and starts the workers off the JS thread; rejects with a NativeStartError. */
  start(config: Partial<EngineConfig>): Promise<StartInfo>
  /** Stops and joins every worker; resolves immediately when already stopped. */
  stop(): Promise<void>
  /** Synchronous and cheap; after stop it keeps returning the final totals. */
  snapshot(): EngineSnapshot
  readonly running: boolean
}

export interface NativeAddon {
  Engine: new () => NativeEngine
  errorCatalog(): CatalogEntry[]
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
