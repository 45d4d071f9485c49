// File-system failures as ApiErrors: our portable code, the OS's name and number kept. Shared by
// the features that write files (recording, config).
import type { ApiError } from '../../src-shared/result'

export function fsFailure(err: unknown, code: string, message: string): ApiError {
  const e = err as NodeJS.ErrnoException
  const out: ApiError = { code, message }
  if (typeof e?.code === 'string') out.nativeName = e.code
  if (typeof e?.errno === 'number') out.nativeCode = Math.abs(e.errno)
  return out
}
