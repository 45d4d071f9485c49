// Reads a recording (format: src-shared/recording-format.ts), validating every line. A corrupt
// file is refused as a whole with a RecordingFormatError naming the line; the one exception is a
// torn last line (no newline, does not parse), which is what a recorder killed mid-write leaves:
// it is dropped and reported as truncatedLastLine.
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import type { MetricsTick } from '../../src-shared/metrics'
import { checkMetricsTick, checkRecordingHeader, type RecordingHeader } from '../../src-shared/recording-format'

/** Longest line accepted (a 64-worker tick with many error kinds is well under 100 KB). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024

export class RecordingFormatError extends Error {
  readonly code = 'invalid-recording'
  constructor(
    readonly source: string,
    /** 1-based line number; 0 when the problem is the file as a whole. */
    readonly line: number,
    detail: string,
  ) {
    super(line > 0 ? `${source}: line ${line}: ${detail}` : `${source}: ${detail}`)
    this.name = 'RecordingFormatError'
  }
}

export interface LoadedRecording {
  source: string
  header: RecordingHeader
  ticks: MetricsTick[]
  truncatedLastLine: boolean
}

/**
 * Line-by-line validation shared by the file reader and the text parser. Lines are numbered
 * from 1; `complete` is false only for a final line without "\n".
 */
class RecordingParser {
  header: RecordingHeader | null = null
  readonly ticks: MetricsTick[] = []
  truncatedLastLine = false
  private line = 0

  constructor(readonly source: string) {}

  push(raw: string, complete: boolean): void {
    this.line++
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (text.trim() === '') throw this.error('is empty (every line must be one JSON value)')
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      if (!complete && this.header) {
        this.truncatedLastLine = true
        return
      }
      throw this.error(`is not valid JSON (${(err as Error).message})`)
    }
    if (!this.header) {
      const h = checkRecordingHeader(value)
      if (!h.ok) throw this.error(`bad header: ${h.path}: ${h.message}`)
      this.header = h.value
      return
    }
    const t = checkMetricsTick(value)
    if (!t.ok) throw this.error(`bad tick: ${t.path} ${t.message}`)
    this.ticks.push(t.value)
  }

  finish(): LoadedRecording {
    if (!this.header) throw new RecordingFormatError(this.source, 0, 'the file is empty, so it is not a recording')
    return { source: this.source, header: this.header, ticks: this.ticks, truncatedLastLine: this.truncatedLastLine }
  }

  private error(detail: string): RecordingFormatError {
    return new RecordingFormatError(this.source, this.line, detail)
  }
}

/** Feeds text in arbitrary chunks to the parser, one complete line at a time. */
class LineSplitter {
  private rest = ''
  constructor(private readonly parser: RecordingParser) {}

  write(chunk: string): void {
    const text = this.rest + chunk
    let start = 0
    let nl: number
    while ((nl = text.indexOf('\n', start)) !== -1) {
      this.parser.push(text.slice(start, nl), true)
      start = nl + 1
    }
    if (text.length - start > MAX_LINE_CHARS) throw new RecordingFormatError(this.parser.source, 0, `a line is longer than ${MAX_LINE_CHARS} characters`)
    this.rest = text.slice(start)
  }

  end(): LoadedRecording {
    if (this.rest !== '') this.parser.push(this.rest, false)
    this.rest = ''
    return this.parser.finish()
  }
}

/** Parses a whole recording held in memory (the browser's upload). */
export function parseRecording(text: string, source = 'upload'): LoadedRecording {
  const lines = new LineSplitter(new RecordingParser(source))
  lines.write(text)
  return lines.end()
}

/** Reads and validates a recording file, streaming it (the file is never held as one string). */
export async function loadRecording(path: string): Promise<LoadedRecording> {
  const source = basename(path)
  const lines = new LineSplitter(new RecordingParser(source))
  const decoder = new StringDecoder('utf8')
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 })
  try {
    for await (const chunk of stream) lines.write(decoder.write(chunk as Buffer))
    lines.write(decoder.end())
  } finally {
    stream.destroy()
  }
  return lines.end()
}
