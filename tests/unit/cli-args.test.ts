import { describe, expect, it } from 'vitest'
import { BRIDGE_DEFAULT_MAX_CLIENTS } from '../../src-shared/bridge-protocol'
import { DEFAULT_ENGINE_CONFIG } from '../../src-shared/engine-config'
import { DEFAULT_LOAD_CONFIG, LOAD_PRESETS, NO_FAULTS } from '../../src-shared/load'
import { parseCommandLine, UsageError } from '../../src-main/cli/args'

const usageError = (argv: string[]): string => {
  try {
    parseCommandLine(argv)
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    return (e as Error).message
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`)
}

describe('parseCommandLine', () => {
  it('serve with defaults', () => {
    expect(parseCommandLine(['serve'])).toEqual({ command: 'serve', config: DEFAULT_ENGINE_CONFIG, csv: null, sampleHz: 10, metricsPort: 0, record: null, sessionsCsv: null })
  })

  it('serve with every flag, in both --flag value and --flag=value forms', () => {
    const cmd = parseCommandLine(['serve', '--host', '::1', '--port=9100', '--threads', '4', '--backend', 'epoll', '--workload=discard', '--close-mode', 'abortive', '--csv', 'out.csv', '--sample-hz', '20', '--metrics-port=9464', '--record', 'run.ndjson', '--sessions-csv=s.csv'])
    expect(cmd).toEqual({
      command: 'serve',
      config: { ...DEFAULT_ENGINE_CONFIG, host: '::1', port: 9100, workers: 4, backend: 'epoll', workload: 'discard', closeMode: 'abortive' },
      csv: 'out.csv',
      sampleHz: 20,
      metricsPort: 9464,
      record: 'run.ndjson',
      sessionsCsv: 's.csv',
    })
  })

  it('serve sets the advanced engine fields: backlog, buffer and queue sizes, session cap, TCP options', () => {
    const cmd = parseCommandLine(['serve', '--backlog', '128', '--recv-buffer=4096', '--max-sessions', '500', '--send-queue-limit', '65536', '--no-nodelay', '--no-reuse-port'])
    expect(cmd.command === 'serve' && cmd.config).toEqual({ ...DEFAULT_ENGINE_CONFIG, backlog: 128, recvBufferSize: 4096, maxSessions: 500, sendQueueLimit: 65536, noDelay: false, reusePort: false })
    expect(usageError(['serve', '--recv-buffer', '65536', '--send-queue-limit', '65536'])).toMatch(/--send-queue-limit: sendQueueLimit must be at least twice recvBufferSize \(131072\)/)
    expect(usageError(['serve', '--no-nodelay=1'])).toMatch(/--no-nodelay takes no value/)
    expect(usageError(['serve', '--recv-buffer', '100'])).toMatch(/--recv-buffer must be an integer from 512 to 4194304/)
  })

  it('serve sets the IOCP options (checked on every platform, used by the IOCP backend)', () => {
    const cmd = parseCommandLine(['serve', '--iocp-port-layout', 'shared', '--iocp-dequeue=gqcs', '--iocp-accept-pool', '8'])
    expect(cmd.command === 'serve' && cmd.config).toEqual({ ...DEFAULT_ENGINE_CONFIG, iocpPortLayout: 'shared', iocpDequeue: 'gqcs', iocpAcceptPool: 8 })
  })

  it('serve sets the io_uring receive model (checked on every platform, used by the io_uring backend)', () => {
    const cmd = parseCommandLine(['serve', '--backend', 'iouring', '--iouring-recv', 'single'])
    expect(cmd.command === 'serve' && cmd.config).toEqual({ ...DEFAULT_ENGINE_CONFIG, backend: 'iouring', iouringRecv: 'single' })
    const direct = parseCommandLine(['serve', '--iouring-sockets', 'direct'])
    expect(direct.command === 'serve' && direct.config.iouringSockets).toBe('direct')
    expect(usageError(['serve', '--iouring-sockets', 'fixed'])).toMatch(/--iouring-sockets must be one of fd, direct \(got 'fixed'\)/)
    const eq = parseCommandLine(['serve', '--iouring-recv=multishot'])
    expect(eq.command === 'serve' && eq.config.iouringRecv).toBe('multishot')
    expect(usageError(['serve', '--iouring-recv', 'single', '--iouring-recv', 'multishot'])).toMatch(/--iouring-recv given twice/)
  })

  it('--workers is an alias of --threads, but not both at once', () => {
    const cmd = parseCommandLine(['serve', '--workers', '3'])
    expect(cmd.command === 'serve' && cmd.config.workers).toBe(3)
    expect(usageError(['serve', '--threads', '2', '--workers', '3'])).toMatch(/--workers given twice \(also as --threads\)/)
  })

  it.each([
    [['serve', '--port', 'abc'], /--port must be an integer from 1 to 65535 \(got 'abc'\)/],
    [['serve', '--port', '0'], /--port must be an integer from 1 to 65535/],
    [['serve', '--port', '1e3'], /--port must be an integer/],
    [['serve', '--threads', '65'], /--threads must be an integer from 1 to 64/],
    [['serve', '--backend', 'kqueue'], /--backend must be one of auto, iouring, epoll, iocp \(got 'kqueue'\)/],
    [['serve', '--workload', 'x'], /--workload must be one of echo, discard, chat/],
    [['serve', '--iouring-recv', 'multi'], /--iouring-recv must be one of multishot, single \(got 'multi'\)/],
    [['serve', '--iouring-recv'], /--iouring-recv needs a value/],
    [['serve', '--iocp-port-layout', 'per-worker'], /--iocp-port-layout must be one of perWorker, shared \(got 'per-worker'\)/],
    [['serve', '--iocp-dequeue', 'batch'], /--iocp-dequeue must be one of gqcsex, gqcs \(got 'batch'\)/],
    [['serve', '--iocp-accept-pool', '0'], /--iocp-accept-pool must be an integer from 1 to 1024 \(got '0'\)/],
    [['serve', '--iocp-accept-pool', '1025'], /--iocp-accept-pool must be an integer from 1 to 1024/],
    [['serve', '--host', 'localhost'], /--host: host must be an IPv4 or IPv6 address/],
    [['serve', '--port'], /--port needs a value/],
    [['serve', '--port', '--threads', '2'], /--port needs a value/],
    [['serve', '--csv', ''], /--csv needs a non-empty value/],
    [['serve', '--sample-hz', '1000'], /--sample-hz must be a number from 1 to 100/],
    [['serve', '--verbose'], /unknown option --verbose for serve/],
    [['serve', 'extra'], /unexpected argument 'extra' for serve/],
    [['ui', '--threads', '2'], /unknown option --threads for ui/],
    [['ui', '--max-clients', '0'], /--max-clients must be an integer from 1 to 1024/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j → a usage error naming the flag', (argv, message) => {
    expect(usageError(argv)).toMatch(message)
  })

  it('ui defaults to a random loopback port', () => {
    expect(parseCommandLine(['ui'])).toEqual({ command: 'ui', host: '127.0.0.1', port: 0, staticDir: null, sampleHz: null, maxClients: BRIDGE_DEFAULT_MAX_CLIENTS })
    expect(parseCommandLine(['ui', '--port', '8080', '--static', 'dist'])).toMatchObject({ port: 8080, staticDir: 'dist' })
    expect(parseCommandLine(['ui', '--max-clients', '4'])).toMatchObject({ maxClients: 4 })
  })

  it('help in all its spellings', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['serve', '--help']]) expect(parseCommandLine(argv)).toEqual({ command: 'help' })
  })
})

describe('iocp-monitor load arguments', () => {
  it('defaults, and every flag', () => {
    expect(parseCommandLine(['load'])).toEqual({ command: 'load', config: { ...DEFAULT_LOAD_CONFIG, threads: 0 } }) // the CLI lets the generator choose its threads
    const cmd = parseCommandLine([
      'load', '--host', 'localhost', '--port', '9100', '--conns', '7', '--size=64', '--seconds', '1.5', '--rate', '2000', '--pipeline', '4',
      '--messages', '100', '--ramp-up-ms', '300', '--threads', '3', '--no-verify', '--faults', 'reset=5,halfclose=5,slow=2', '--io', 'epoll',
    ])
    expect(cmd).toEqual({
      command: 'load',
      config: {
        host: 'localhost', port: 9100, connections: 7, messageSize: 64, durationMs: 1500, rate: 2000, pipeline: 4, messages: 100, rampUpMs: 300, threads: 3,
        expectEcho: false, io: 'epoll', faults: { ...NO_FAULTS, reset: 5, halfclose: 5, slow: 2 },
      },
    })
  })

  it('a preset, with flags overriding it', () => {
    const cmd = parseCommandLine(['load', '--preset', 'faults', '--seconds', '2'])
    expect(cmd).toMatchObject({ command: 'load', config: { connections: 100, durationMs: 2000, faults: LOAD_PRESETS.faults.config.faults } })
  })

  it.each([
    [['load', '--conns', '0'], /--conns must be an integer from 1 to 20000/],
    [['load', '--size', '2000000'], /--size must be an integer from 1 to 1048576/],
    [['load', '--seconds', 'ten'], /--seconds must be a number/],
    [['load', '--seconds', '0'], /--seconds: give a duration or a message count/],
    [['load', '--host', 'bad host'], /--host: host must be/],
    [['load', '--faults', 'nuke=5'], /--faults: unknown fault nuke/],
    [['load', '--faults', 'reset=60,slow=50'], /--faults: fault percentages add up to 110/],
    [['load', '--faults', 'reset=500'], /--faults: fault reset must be an integer percentage/],
    [['load', '--no-verify=yes'], /--no-verify takes no value/],
    [['load', '--preset', 'huge'], /--preset must be one of smoke, steady, storm, faults/],
    [['load', '--workers', '2'], /unknown option --workers for load/],
    [['load', '--io', 'kqueue'], /--io must be one of auto, iouring, epoll, iocp/],
  ])('%j → a usage error naming the flag', (argv, message) => {
    expect(usageError(argv)).toMatch(message)
  })
})
