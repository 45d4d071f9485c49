// `iocp-monitor load`: the built-in load generator against any echo server (ours from `serve`, or
// another). stdout carries exactly one line, the summary as JSON, so a script can `| tail -1 | jq`;
// the per-second progress and the human summary go to stderr.
import { FAULT_KINDS, type LoadConfig, type LoadProgress, type LoadSummary } from '../../src-shared/load'
import { loadAddon } from '../addon/load-addon'
import { describeApiError } from '../service/api-error'
import { LoadController } from '../service/load-controller'
import { hostForUrl } from '../security/loopback'
import type { LoadCommand } from './args'
import type { CliIo } from './io'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes'
import { waitForStopSignal } from './signals'

const int = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (us: number): string => `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`

function describeRun(c: LoadConfig): string {
  const parts = [`${c.connections} connection(s)`, `${c.messageSize} B messages`]
  parts.push(c.durationMs ? `${c.durationMs / 1000} s` : `${int(c.messages)} messages`)
  if (c.durationMs && c.messages) parts.push(`at most ${int(c.messages)} messages`)
  parts.push(c.rate ? `${int(c.rate)} msgs/s` : 'unlimited rate')
  if (c.pipeline > 1) parts.push(`pipeline ${c.pipeline}`)
  if (c.rampUpMs) parts.push(`ramp-up ${c.rampUpMs} ms`)
  if (!c.expectEcho) parts.push('no echo verification')
  const faults = FAULT_KINDS.filter((k) => c.faults[k]).map((k) => `${k} ${c.faults[k]}%`)
  if (faults.length) parts.push(`faults: ${faults.join(', ')}`)
  return `load ${hostForUrl(c.host)}:${c.port}: ${parts.join(', ')}`
}

/** One line per second, e.g. "[  3.0 s] conns 50/50  msgs 123,456 (41,152/s, 5.27 MB/s) …". */
export function progressLine(p: LoadProgress, config: LoadConfig): string {
  const errors = p.errors.reduce((n, e) => n + e.count, 0)
  return [
    `[${(p.elapsedMs / 1000).toFixed(1).padStart(5)} s]`,
    `conns ${int(p.activeConnections)}/${int(config.connections)}`,
    `msgs ${int(p.msgsSent)} (${int(p.msgsPerS)}/s, ${p.mbPerS.toFixed(2)} MB/s)`,
    `echoed ${int(p.msgsEchoed)}`,
    `mismatched ${int(p.mismatchedBytes)} B`,
    `p99 ${ms(p.latency.p99Us)}`,
    `errors ${int(errors)}`,
  ].join('  ')
}

/** The human summary (stderr). */
export function summaryLines(s: LoadSummary): string[] {
  const lines = [
    `${s.stoppedEarly ? 'stopped' : 'done'} after ${(s.elapsedMs / 1000).toFixed(2)} s: ${int(s.msgsSent)} messages sent (${int(s.msgsPerS)}/s, ${s.mbPerS.toFixed(2)} MB/s), ${int(s.msgsEchoed)} echoed`,
    `bytes sent ${int(s.bytesSent)}, received ${int(s.bytesReceived)}, mismatched ${int(s.mismatchedBytes)}`,
    `connects ok ${int(s.connectsOk)}, failed ${int(s.connectsFailed)}`,
    ...(s.threads ? [`generator threads ${s.threads} (${s.threadsNote})`] : []),
    ...(s.io ? [`generator io ${s.io} (${s.ioNote})`] : []),
    `latency p50 ${ms(s.latency.p50Us)}, p90 ${ms(s.latency.p90Us)}, p99 ${ms(s.latency.p99Us)}, p99.9 ${ms(s.latency.p999Us)}, max ${ms(s.latency.maxUs)} (${int(s.latency.count)} echoes)`,
  ]
  const faults = FAULT_KINDS.filter((k) => s.faultsInjected[k]).map((k) => `${k} ${int(s.faultsInjected[k])}`)
  if (faults.length) lines.push(`faults injected: ${faults.join(', ')}`)
  if (s.errors.length) lines.push(`errors: ${s.errors.map((e) => `${e.name} (${e.nativeName} ${e.code}) ×${int(e.count)}`).join(', ')}`)
  if (s.mismatchedBytes > 0) lines.push(`FAILED: ${int(s.mismatchedBytes)} echoed byte(s) differed from what was sent`)
  return lines
}

export async function load(cmd: LoadCommand, io: CliIo): Promise<number> {
  const { config } = cmd
  const signal = waitForStopSignal((s) => {
    io.err(`${s} again: exiting without a clean stop`)
    process.exit(EXIT_FAILURE)
  })
  let controller: LoadController | null = null
  try {
    // One progress line per second, whatever the dashboard's sampling rate.
    controller = new LoadController(new (loadAddon().LoadGenerator)(), {
      hz: 1,
      onProgress: (p) => {
        // The baseline (t = 0) and the final sample (the summary says it all) are not printed.
        if (p.running && p.elapsedMs >= 500) io.err(progressLine(p, config))
      },
      onError: (err) => io.err(`warning: load generator: ${(err as Error)?.message ?? err}`),
    })
    const started = await controller.start(config)
    if (!started.ok) {
      io.err(`iocp-monitor: cannot load ${hostForUrl(config.host)}:${config.port}: ${describeApiError(started.error)}`)
      return started.error.code === 'invalid-config' ? EXIT_USAGE : EXIT_FAILURE
    }
    io.err(describeRun(config))

    const ended = controller.whenIdle()
    const first = await Promise.race([ended.then(() => null), signal.received])
    if (first) {
      io.err(`${first}: stopping`)
      await controller.stop()
    }
    const summary = await ended
    if (!summary) {
      io.err('iocp-monitor: the load run ended without a summary')
      return EXIT_FAILURE
    }
    for (const line of summaryLines(summary)) io.err(line)
    io.out(JSON.stringify(summary))
    return summary.mismatchedBytes > 0 ? EXIT_FAILURE : EXIT_OK
  } catch (err) {
    io.err(`iocp-monitor: ${(err as Error)?.message ?? err}`)
    return EXIT_FAILURE
  } finally {
    await controller?.dispose()
    signal.dispose()
  }
}
