// What `serve` and `attach` do with the samples of a run, whatever their source: --metrics-port
// (Prometheus), --record (an NDJSON recording) and --csv (the sampled metrics, renamed into place
// when the run ends). Opened before the source starts, so the recording and the CSV hold the run's
// first (baseline) sample; closed after it stopped, so they hold its last.
import { resolve } from 'node:path'
import { describeApiError } from '../service/api-error'
import { CsvRecorder } from '../service/csv-export'
import { createApp, type App } from '../app'
import { EXIT_FAILURE } from './exit-codes'
import { stderrLogger, type CliIo } from './io'
import { waitForStopSignal, type StopSignal } from './signals'

export interface SampleOutputFlags {
  csv: string | null
  metricsPort: number
  record: string | null
}

export interface SampleOutputs {
  /** Writes what is still open (CSV renamed into place, recording flushed); false on a failure. */
  finish(): Promise<boolean>
  /** Drops an unfinished CSV (after a failure): no half-written file is left behind. */
  abort(): Promise<void>
}

/** Opens the outputs the flags ask for; null (after saying why on stderr) when one cannot be. */
export async function openSampleOutputs(app: App, flags: SampleOutputFlags, io: CliIo): Promise<SampleOutputs | null> {
  let recorder: CsvRecorder | null = null
  const outputs: SampleOutputs = {
    async finish() {
      let ok = true
      if (recorder) {
        const rec = recorder
        recorder = null
        const { rows } = await rec.finish()
        io.err(`wrote ${rows} rows to ${resolve(flags.csv!)}`)
      }
      if (flags.record) {
        const r = await app.recording.stopRecording()
        if (!r.ok || r.value.lastError) {
          io.err(`iocp-monitor: --record: ${describeApiError(r.ok ? r.value.lastError! : r.error)}`)
          ok = false
        } else io.err(`recorded ${r.value.ticks} samples to ${r.value.path}`)
      }
      return ok
    },
    async abort() {
      await recorder?.abort()
      recorder = null
    },
  }
  if (flags.metricsPort) {
    const m = await app.metrics.startMetrics(flags.metricsPort)
    if (!m.ok) {
      io.err(`iocp-monitor: --metrics-port ${flags.metricsPort}: ${describeApiError(m.error)}`)
      return null
    }
    io.err(`metrics ${m.value}`)
  }
  if (flags.record) {
    const r = await app.recording.startRecordingTo(resolve(flags.record))
    if (!r.ok) {
      io.err(`iocp-monitor: --record ${flags.record}: ${describeApiError(r.error)}`)
      return null
    }
  }
  if (flags.csv) {
    try {
      recorder = await CsvRecorder.create(resolve(flags.csv))
    } catch (err) {
      io.err(`iocp-monitor: --csv ${flags.csv}: cannot create the file: ${(err as Error).message}`)
      return null
    }
    const rec = recorder
    app.service.on('metrics:tick', (tick) => rec.write(tick))
  }
  return outputs
}

/**
 * What serve and attach share around their own work: the stop signal (a second one exits at
 * once), an app without a config file, the outputs, a failure reported as one line, and the
 * order of shutdown (an unfinished CSV dropped, the app disposed, the signal handlers removed).
 */
export async function withSampledApp(
  opts: { sampleHz: number; probePollMs?: number; flags: SampleOutputFlags },
  io: CliIo,
  body: (app: App, outputs: SampleOutputs, signal: StopSignal) => Promise<number>,
): Promise<number> {
  const signal = waitForStopSignal((s) => {
    io.err(`${s} again: exiting without a clean stop`)
    process.exit(EXIT_FAILURE)
  })
  let outputs: SampleOutputs | null = null
  const app = await createApp({ store: null, sampleHz: opts.sampleHz, applyPrometheusConfig: false, probePollMs: opts.probePollMs, logger: stderrLogger(io) })
  try {
    outputs = await openSampleOutputs(app, opts.flags, io)
    if (!outputs) return EXIT_FAILURE
    return await body(app, outputs, signal)
  } catch (err) {
    io.err(`iocp-monitor: ${(err as Error)?.message ?? err}`)
    return EXIT_FAILURE
  } finally {
    await outputs?.abort()
    await app.dispose()
    signal.dispose()
  }
}
