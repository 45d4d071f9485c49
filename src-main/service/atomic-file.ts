// Atomic file replacement: write a temp file in the destination's directory, fsync it, then
// rename it over the destination. Readers see either the old file or the complete new one, never
// a half-written export, and a failed write leaves no temp file behind. The temp file must be in
// the same directory because rename is only atomic within one file system. The temp file is
// created owner-only, and the rename keeps its mode, so the destination is owner-only too
// (./owner-only).
import { randomBytes } from 'node:crypto'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Writable, type Duplex, type Readable } from 'node:stream'
import { OWNER_ONLY_FILE_MODE } from './owner-only'

export class AtomicFileWriter {
  private done = false

  private constructor(
    readonly dest: string,
    readonly tempPath: string,
    private readonly fh: FileHandle,
    /** Write the content here; the stream does not close the file (commit does). */
    readonly stream: Writable,
  ) {}

  /** Creates the temp file next to `dest` (exclusive create, so it never clobbers anything). */
  static async open(dest: string): Promise<AtomicFileWriter> {
    const tempPath = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    const fh = await open(tempPath, 'wx', OWNER_ONLY_FILE_MODE)
    return new AtomicFileWriter(dest, tempPath, fh, handleWriter(fh))
  }

  /** Flushes to disk and renames into place. Call after `stream` has finished. */
  async commit(): Promise<void> {
    if (this.done) throw new Error('atomic write already finished')
    this.done = true
    try {
      await this.fh.sync()
      await this.fh.close()
      await rename(this.tempPath, this.dest)
    } catch (err) {
      await this.fh.close().catch(() => undefined)
      await unlink(this.tempPath).catch(() => undefined)
      throw err
    }
  }

  /** Drops the temp file; the destination is untouched. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.done) return
    this.done = true
    this.stream.destroy()
    await this.fh.close().catch(() => undefined)
    await unlink(this.tempPath).catch(() => undefined)
  }
}

/**
 * A Writable over a FileHandle that leaves the handle open (commit syncs and closes it). Not
 * fh.createWriteStream({autoClose: false}): that stream never emits 'close', so a pipeline into
 * it never settles.
 */
function handleWriter(fh: FileHandle): Writable {
  return new Writable({
    // Producers such as csv-stringify push one small chunk per record; writev hands over every
    // chunk buffered while the previous write was in flight, so the file sees a few large writes
    // instead of one syscall per row.
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      writeAll(fh, chunk).then(() => callback(), callback)
    },
    writev(chunks, callback) {
      writeAll(fh, Buffer.concat(chunks.map((c) => c.chunk as Buffer))).then(() => callback(), callback)
    },
  })
}

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  let off = 0
  while (off < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off)
    off += bytesWritten
  }
}

/**
 * Streams a pipeline (a source, then any transforms) into `dest` atomically. The stages are
 * joined here with pipeline(), not by the caller with .pipe(): .pipe() does not forward errors,
 * so a failing source would leave the write hanging.
 */
export async function writeFileAtomic(dest: string, ...stages: [Readable, ...Duplex[]]): Promise<void> {
  return writeFileAtomicUnless(undefined, dest, ...stages)
}

/** writeFileAtomic that an AbortSignal cancels (Ctrl-C during an export): nothing is left behind. */
export async function writeFileAtomicUnless(signal: AbortSignal | undefined, dest: string, ...stages: [Readable, ...Duplex[]]): Promise<void> {
  const w = await AtomicFileWriter.open(dest)
  try {
    await pipeline([...stages, w.stream], signal ? { signal } : {})
  } catch (err) {
    await w.abort()
    throw err
  }
  await w.commit()
}
