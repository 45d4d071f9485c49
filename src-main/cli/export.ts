// `iocp-monitor export --from REC --csv FILE`: a recording's samples as the same CSV the live
// export writes (src-main/service/csv-export.ts), written atomically. Ctrl-C (or SIGTERM) cancels
// it cleanly: the temporary file is removed and FILE is left as it was (absent, or the previous
// complete version), never half-written.
import { resolve } from 'node:path'
import { writeCsvFile } from '../service/csv-export'
import { loadRecording, RecordingFormatError } from '../recording/reader'
import type { ExportCommand } from './args'
import type { CliIo } from './io'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes'
import { waitForStopSignal } from './signals'

export async function exportRecording(cmd: ExportCommand, io: CliIo): Promise<number> {
  const from = resolve(cmd.from)
  const to = resolve(cmd.csv)
  const cancel = new AbortController()
  let stoppedBy: NodeJS.Signals | null = null
  const signal = waitForStopSignal((s) => {
    io.err(`${s} again: exiting at once`)
    process.exit(EXIT_INTERRUPTED)
  })
  signal.received.then((s) => {
    stoppedBy = s
    cancel.abort()
  })
  const interrupted = () => {
    io.err(`iocp-monitor: ${stoppedBy}: export cancelled; ${to} was not written (left as it was)`)
    return EXIT_INTERRUPTED
  }
  try {
    let rec
    try {
      rec = await loadRecording(from)
    } catch (err) {
      const why = err instanceof RecordingFormatError ? `not a valid recording: ${err.message}` : `cannot read it: ${(err as Error).message}`
      io.err(`iocp-monitor: --from ${cmd.from}: ${why}`)
      return EXIT_FAILURE
    }
    if (stoppedBy) return interrupted()
    if (rec.truncatedLastLine) io.err(`warning: ${cmd.from} ends with a partly written line (the recorder was interrupted); it was skipped`)
    try {
      const { rows } = await writeCsvFile(to, rec.ticks, undefined, cancel.signal)
      io.err(`wrote ${rows} rows (${rec.ticks.length} samples) to ${to}`)
      return EXIT_OK
    } catch (err) {
      if (stoppedBy) return interrupted()
      io.err(`iocp-monitor: --csv ${cmd.csv}: cannot write it: ${(err as Error).message}`)
      return EXIT_FAILURE
    }
  } finally {
    signal.dispose()
  }
}
