// `iocp-monitor export --from REC --csv FILE`: a recording's samples as the same CSV the live
// export writes (src-main/service/csv-export.ts), written atomically.
import { resolve } from 'node:path'
import { writeCsvFile } from '../service/csv-export'
import { loadRecording, RecordingFormatError } from '../recording/reader'
import type { ExportCommand } from './args'
import type { CliIo } from './io'
import { EXIT_FAILURE, EXIT_OK } from './serve'

export async function exportRecording(cmd: ExportCommand, io: CliIo): Promise<number> {
  const from = resolve(cmd.from)
  const to = resolve(cmd.csv)
  let rec
  try {
    rec = await loadRecording(from)
  } catch (err) {
    const why = err instanceof RecordingFormatError ? `not a valid recording: ${err.message}` : `cannot read it: ${(err as Error).message}`
    io.err(`iocp-monitor: --from ${cmd.from}: ${why}`)
    return EXIT_FAILURE
  }
  if (rec.truncatedLastLine) io.err(`warning: ${cmd.from} ends with a partly written line (the recorder was interrupted); it was skipped`)
  try {
    const { rows } = await writeCsvFile(to, rec.ticks)
    io.err(`wrote ${rows} rows (${rec.ticks.length} samples) to ${to}`)
    return EXIT_OK
  } catch (err) {
    io.err(`iocp-monitor: --csv ${cmd.csv}: cannot write it: ${(err as Error).message}`)
    return EXIT_FAILURE
  }
}
