// `iocp-monitor attach` and `iocp-monitor probes`: another process that includes the probe,
// sampled headless like `serve` samples the built-in server (the same app, sampler and outputs).
import type { AttachStatus } from '../../src-shared/attach'
import { loadAddon } from '../addon/load-addon'
import { describeApiError } from '../service/api-error'
import type { AttachCommand } from './args'
import { EXIT_FAILURE, EXIT_OK } from './exit-codes'
import type { CliIo } from './io'
import { withSampledApp } from './sample-outputs'

export async function attach(cmd: AttachCommand, io: CliIo): Promise<number> {
  // Discovery runs only when asked: this command follows one process.
  return withSampledApp({ sampleHz: cmd.sampleHz, probePollMs: 0, flags: cmd }, io, async (app, outputs, signal) => {
    let exited!: (s: AttachStatus) => void
    const exit = new Promise<AttachStatus>((r) => (exited = r))
    app.service.on('attach:status-changed', (s) => {
      if (s.state === 'exited') exited(s)
    })
    const r = app.attach.attach(cmd.target)
    if (!r.ok) {
      io.err(`iocp-monitor: cannot attach: ${describeApiError(r.error)}`)
      return EXIT_FAILURE
    }
    const p = r.value.probe!
    io.out(`attached ${p.name} pid ${p.pid} workers ${p.workers}`)
    if (p.port) io.err(`${p.name} listens on port ${p.port}`)

    const end = await Promise.race([signal.received.then((s) => ({ signal: s })), exit.then((s) => ({ status: s }))])
    if ('signal' in end) {
      io.err(`${end.signal}: detaching`)
      app.attach.detach()
    } else {
      io.err(`${p.name} (pid ${p.pid}) exited (${end.status.exitReason})`)
    }
    return (await outputs.finish()) ? EXIT_OK : EXIT_FAILURE
  })
}

/** One JSON object per probe found (readable or not), for scripts. */
export async function listProbes(io: CliIo): Promise<number> {
  try {
    for (const p of loadAddon().probes()) io.out(JSON.stringify(p))
    return EXIT_OK
  } catch (err) {
    io.err(`iocp-monitor: ${(err as Error)?.message ?? err}`)
    return EXIT_FAILURE
  }
}
