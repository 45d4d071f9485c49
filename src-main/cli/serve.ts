// `iocp-monitor serve`: the engine headless, optionally recording metrics to CSV and to a
// recording (--record), and serving them to Prometheus (--metrics-port).
import { access, constants } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Readable } from 'node:stream'
import type { StartInfo } from '../../src-shared/engine-snapshot'
import { MAX_SESSION_ROWS, sessionsToCsv } from '../../src-shared/sessions'
import { describeApiError } from '../service/api-error'
import { writeFileAtomic } from '../service/atomic-file'
import { hostForUrl } from '../security/loopback'
import type { ServeCommand } from './args'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes'
import type { CliIo } from './io'
import { withSampledApp } from './sample-outputs'

function describeBackend(info: StartInfo): string[] {
  const lines = [`backend ${info.backend}, ${info.workers} worker(s), features: ${info.features.join(', ') || 'none'}`]
  if (info.fallbackReason) lines.push(`backend fallback: ${info.fallbackReason}`)
  return lines
}

export async function serve(cmd: ServeCommand, io: CliIo): Promise<number> {
  const { config } = cmd
  const where = `${hostForUrl(config.host)}:${config.port}`
  // No config file in serve mode: the flags are the whole configuration (reproducible runs).
  return withSampledApp({ sampleHz: cmd.sampleHz, flags: cmd }, io, async (app, outputs, signal) => {
    // Checked before listening, like --csv: a run must not end with its table unwritable.
    if (cmd.sessionsCsv) {
      try {
        await access(dirname(resolve(cmd.sessionsCsv)), constants.W_OK)
      } catch (err) {
        io.err(`iocp-monitor: --sessions-csv ${cmd.sessionsCsv}: cannot write there: ${(err as Error).message}`)
        return EXIT_FAILURE
      }
    }

    const started = await app.server.start(config)
    if (!started.ok) {
      io.err(`iocp-monitor: cannot listen on ${where}: ${describeApiError(started.error)}`)
      return started.error.code === 'invalid-config' ? EXIT_USAGE : EXIT_FAILURE
    }
    for (const line of describeBackend(started.value.info!)) io.err(line)
    io.out(`listening ${where}`)

    const s = await signal.received
    io.err(`${s}: stopping`)
    // The table as the stop is asked for: stopping closes every session.
    const table = cmd.sessionsCsv ? app.sessions.table({ key: 'age', limit: MAX_SESSION_ROWS, worker: -1, addressPrefix: '' }) : null
    const stopped = await app.server.stop()
    if (!stopped.ok) {
      io.err(`iocp-monitor: stop failed: ${describeApiError(stopped.error)}`)
      return EXIT_FAILURE
    }
    const finished = await outputs.finish()
    if (cmd.sessionsCsv && table) {
      if (!table.ok) {
        io.err(`iocp-monitor: --sessions-csv: ${describeApiError(table.error)}`)
        return EXIT_FAILURE
      }
      try {
        await writeFileAtomic(resolve(cmd.sessionsCsv), Readable.from([sessionsToCsv(table.value)]))
      } catch (err) {
        io.err(`iocp-monitor: --sessions-csv ${cmd.sessionsCsv}: ${(err as Error).message}`)
        return EXIT_FAILURE
      }
      io.err(`wrote ${table.value.rows.length} sessions to ${resolve(cmd.sessionsCsv)}`)
    }
    return finished ? EXIT_OK : EXIT_FAILURE
  })
}
