// Entry point of the iocp-monitor command (bin/iocp-monitor.cjs requires the compiled copy).
import { parseCommandLine, UsageError, USAGE } from './args'
import { processIo, type CliIo } from './io'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes'
import { serve } from './serve'
import { ui } from './ui'
import { load } from './load'
import { exportRecording } from './export'
import { attach, listProbes } from './attach'

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let cmd
  try {
    cmd = parseCommandLine(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`iocp-monitor: ${err.message}`)
    io.err('Run `iocp-monitor help` for usage.')
    return EXIT_USAGE
  }
  switch (cmd.command) {
    case 'help':
      io.out(USAGE)
      return EXIT_OK
    case 'serve':
      return serve(cmd, io)
    case 'ui':
      return ui(cmd, io)
    case 'load':
      return load(cmd, io)
    case 'export':
      return exportRecording(cmd, io)
    case 'attach':
      return attach(cmd, io)
    case 'probes':
      return listProbes(io)
  }
}

/** Runs main and exits with its code (also when something is left holding the event loop). */
export function run(argv: string[]): void {
  // If the event loop ever drains while main is still pending, Node would exit 0 silently with
  // the work unfinished (a CSV never renamed into place). Make that a loud failure instead.
  process.once('beforeExit', () => {
    process.stderr.write('iocp-monitor: internal error: exited before finishing\n')
    process.exit(EXIT_FAILURE)
  })
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`iocp-monitor: ${(err as Error)?.stack ?? err}\n`)
      process.exit(EXIT_FAILURE)
    },
  )
}
