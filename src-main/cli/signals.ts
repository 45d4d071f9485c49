// Waiting for the user to stop a long-running command. Both SIGINT (Ctrl-C) and SIGTERM (what
// service managers and test harnesses send; background jobs of a non-interactive shell ignore
// SIGINT) stop cleanly; a second signal while shutting down forces an exit.
export interface StopSignal {
  /** Resolves with the first signal's name. */
  readonly received: Promise<NodeJS.Signals>
  /** Removes the handlers (after a clean shutdown). */
  dispose(): void
}

export function waitForStopSignal(onForce: (signal: NodeJS.Signals) => void): StopSignal {
  let first: NodeJS.Signals | null = null
  let resolve!: (s: NodeJS.Signals) => void
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r))
  // Nothing else may hold the event loop open (the engine's threads do not), so this does.
  const keepAlive = setInterval(() => undefined, 1 << 30)
  const handler = (signal: NodeJS.Signals) => {
    if (first) return onForce(signal)
    first = signal
    clearInterval(keepAlive)
    resolve(signal)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    received,
    dispose() {
      clearInterval(keepAlive)
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
