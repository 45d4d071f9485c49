import { describe, expect, it } from 'vitest'
import { DEFAULT_ENGINE_CONFIG } from '../../src-shared/engine-config'
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
    expect(parseCommandLine(['serve'])).toEqual({ command: 'serve', config: DEFAULT_ENGINE_CONFIG, csv: null, sampleHz: 10 })
  })

  it('serve with every flag, in both --flag value and --flag=value forms', () => {
    const cmd = parseCommandLine(['serve', '--host', '::1', '--port=9100', '--threads', '4', '--backend', 'epoll', '--workload=discard', '--close-mode', 'abortive', '--csv', 'out.csv', '--sample-hz', '20'])
    expect(cmd).toEqual({
      command: 'serve',
      config: { ...DEFAULT_ENGINE_CONFIG, host: '::1', port: 9100, workers: 4, backend: 'epoll', workload: 'discard', closeMode: 'abortive' },
      csv: 'out.csv',
      sampleHz: 20,
    })
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
    [['serve', '--host', 'localhost'], /--host: host must be an IPv4 or IPv6 address/],
    [['serve', '--port'], /--port needs a value/],
    [['serve', '--port', '--threads', '2'], /--port needs a value/],
    [['serve', '--csv', ''], /--csv needs a non-empty value/],
    [['serve', '--sample-hz', '1000'], /--sample-hz must be a number from 1 to 100/],
    [['serve', '--verbose'], /unknown option --verbose for serve/],
    [['serve', 'extra'], /unexpected argument 'extra' for serve/],
    [['ui', '--threads', '2'], /unknown option --threads for ui/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j → a usage error naming the flag', (argv, message) => {
    expect(usageError(argv)).toMatch(message)
  })

  it('ui defaults to a random loopback port', () => {
    expect(parseCommandLine(['ui'])).toEqual({ command: 'ui', host: '127.0.0.1', port: 0, staticDir: null, sampleHz: 10 })
    expect(parseCommandLine(['ui', '--port', '8080', '--static', 'dist'])).toMatchObject({ port: 8080, staticDir: 'dist' })
  })

  it('help in all its spellings', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['serve', '--help']]) expect(parseCommandLine(argv)).toEqual({ command: 'help' })
  })
})
