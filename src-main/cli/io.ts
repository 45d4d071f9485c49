// Where the CLI writes: stdout carries only the machine-readable lines ("listening …",
// "dashboard …"), everything for humans goes to stderr. Injected so tests can capture both.
import type { Logger } from '../service/log'

export interface CliIo {
  out(line: string): void
  err(line: string): void
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
}

export function stderrLogger(io: CliIo): Logger {
  return { info: (m) => io.err(m), warn: (m) => io.err(`warning: ${m}`), error: (m) => io.err(`error: ${m}`) }
}
