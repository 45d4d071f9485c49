// `iocp-monitor ui`: the dashboard in a browser (what `npm start` falls back to without Electron).
import { join, resolve } from 'node:path'
import { startDashboardServer } from '../bridge/dashboard-server'
import { ConfigStore, defaultConfigDir } from '../config/config-store'
import { createApp } from '../app'
import type { UiCommand } from './args'
import { stderrLogger, type CliIo } from './io'
import { EXIT_FAILURE, EXIT_OK } from './exit-codes'
import { waitForStopSignal } from './signals'

export async function ui(cmd: UiCommand, io: CliIo): Promise<number> {
  const signal = waitForStopSignal((s) => {
    io.err(`${s} again: exiting without a clean stop`)
    process.exit(EXIT_FAILURE)
  })
  const logger = stderrLogger(io)
  const store = new ConfigStore(defaultConfigDir())
  const app = await createApp({ store, sampleHz: cmd.sampleHz ?? undefined, recordingsDir: join(store.dir, 'recordings'), logger })
  try {
    let dashboard
    try {
      dashboard = await startDashboardServer({
        service: app.service,
        host: cmd.host,
        port: cmd.port,
        staticDir: cmd.staticDir ? resolve(cmd.staticDir) : undefined,
        maxClients: cmd.maxClients,
        logger,
      })
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const name = e.code === 'EADDRINUSE' ? 'address-in-use (EADDRINUSE)' : e.code ?? 'error'
      io.err(`iocp-monitor: cannot serve the dashboard on ${cmd.host}:${cmd.port}: ${name}: ${e.message}`)
      return EXIT_FAILURE
    }
    io.out(`dashboard ${dashboard.url}`)
    const s = await signal.received
    io.err(`${s}: stopping`)
    await dashboard.close()
    return EXIT_OK
  } catch (err) {
    io.err(`iocp-monitor: ${(err as Error)?.message ?? err}`)
    return EXIT_FAILURE
  } finally {
    // createApp's order: stopping a running server emits its final sample, which a recording in
    // progress must still get before its file is closed.
    await app.dispose()
    signal.dispose()
  }
}
