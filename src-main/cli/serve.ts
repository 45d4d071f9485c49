// `iocp-monitor serve`: the engine headless, optionally recording metrics to CSV and to a
// recording (--record), and serving them to Prometheus (--metrics-port).
import { resolve } from 'node:path'
import type { StartInfo } from '../../src-shared/engine-snapshot'
import { describeApiError } from '../service/api-error'
import { CsvRecorder } from '../service/csv-export'
import { createApp } from '../app'
import { hostForUrl } from '../security/loopback'
import type { ServeCommand } from './args'
import { stderrLogger, type CliIo } from './io'
import { waitForStopSignal } from './signals'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
/** 128 + SIGINT, as shells report it: the command was cancelled before it finished. */
export const EXIT_INTERRUPTED = 130

function describeBackend(info: StartInfo): string[] {
  const lines = [`backend ${info.backend}, ${info.workers} worker(s), features: ${info.features.join(', ') || 'none'}`]
  if (info.fallbackReason) lines.push(`backend fallback: ${info.fallbackReason}`)
  return lines
}

export async function serve(cmd: ServeCommand, io: CliIo): Promise<number> {
  const { config } = cmd
  const where = `${hostForUrl(config.host)}:${config.port}`
  const signal = waitForStopSignal((s) => {
    io.err(`${s} again: exiting without a clean stop`)
    process.exit(EXIT_FAILURE)
  })
  let recorder: CsvRecorder | null = null
  // No config file in serve mode: the flags are the whole configuration (reproducible runs).
  const app = await createApp({ store: null, sampleHz: cmd.sampleHz, applyPrometheusConfig: false, logger: stderrLogger(io) })
  const { service } = app
  try {
    if (cmd.metricsPort) {
      const m = await app.metrics.startMetrics(cmd.metricsPort)
      if (!m.ok) {
        io.err(`iocp-monitor: --metrics-port ${cmd.metricsPort}: ${describeApiError(m.error)}`)
        return EXIT_FAILURE
      }
      io.err(`metrics ${m.value}`)
    }
    // Before the start, so the recording holds the run's first (baseline) sample.
    if (cmd.record) {
      const r = await app.recording.startRecordingTo(resolve(cmd.record))
      if (!r.ok) {
        io.err(`iocp-monitor: --record ${cmd.record}: ${describeApiError(r.error)}`)
        return EXIT_FAILURE
      }
    }

    if (cmd.csv) {
      try {
        recorder = await CsvRecorder.create(resolve(cmd.csv))
      } catch (err) {
        io.err(`iocp-monitor: --csv ${cmd.csv}: cannot create the file: ${(err as Error).message}`)
        return EXIT_FAILURE
      }
      const rec = recorder
      service.on('metrics:tick', (tick) => rec.write(tick))
    }

    const started = await service.start(config)
    if (!started.ok) {
      io.err(`iocp-monitor: cannot listen on ${where}: ${describeApiError(started.error)}`)
      return started.error.code === 'invalid-config' ? EXIT_USAGE : EXIT_FAILURE
    }
    for (const line of describeBackend(started.value.info!)) io.err(line)
    io.out(`listening ${where}`)

    const s = await signal.received
    io.err(`${s}: stopping`)
    const stopped = await service.stop()
    if (!stopped.ok) {
      io.err(`iocp-monitor: stop failed: ${describeApiError(stopped.error)}`)
      return EXIT_FAILURE
    }
    if (recorder) {
      const { rows } = await recorder.finish()
      recorder = null
      io.err(`wrote ${rows} rows to ${resolve(cmd.csv!)}`)
    }
    if (cmd.record) {
      const r = await app.recording.stopRecording()
      if (!r.ok || r.value.lastError) {
        io.err(`iocp-monitor: --record: ${describeApiError(r.ok ? r.value.lastError! : r.error)}`)
        return EXIT_FAILURE
      }
      io.err(`recorded ${r.value.ticks} samples to ${r.value.path}`)
    }
    return EXIT_OK
  } catch (err) {
    io.err(`iocp-monitor: ${(err as Error)?.message ?? err}`)
    return EXIT_FAILURE
  } finally {
    await recorder?.abort()
    await app.dispose()
    signal.dispose()
  }
}
