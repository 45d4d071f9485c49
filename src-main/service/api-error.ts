// Turns whatever went wrong into an ApiError: the one shape errors take when they cross IPC.
import type { ApiError } from '../../src-shared/result'
import type { FieldError } from '../../src-shared/result'
import type { NativeStartError } from '../addon/native-addon'

export function apiError(code: string, message: string): ApiError {
  return { code, message }
}

/** Maps an addon rejection (or any thrown value) to an ApiError, keeping the native details. */
export function toApiError(err: unknown): ApiError {
  if (!(err instanceof Error)) return apiError('internal', `unexpected error: ${String(err)}`)
  const e = err as NativeStartError
  const out: ApiError = {
    message: e.message,
    code: typeof e.code === 'string' && e.code ? e.code : 'internal',
  }
  if (typeof e.nativeCode === 'number') out.nativeCode = e.nativeCode
  if (typeof e.nativeName === 'string') out.nativeName = e.nativeName
  if (out.code === 'invalid-config') {
    const fieldErrors: FieldError[] = [{ field: typeof e.field === 'string' && e.field ? e.field : 'config', message: e.message }]
    out.fieldErrors = fieldErrors
  }
  return out
}

/** One line for logs and terminals: "message (code, EADDRINUSE 98)". */
export function describeApiError(e: ApiError): string {
  const native = e.nativeName !== undefined || e.nativeCode !== undefined ? `, ${[e.nativeName, e.nativeCode].filter((x) => x !== undefined).join(' ')}` : ''
  return `${e.message} (${e.code}${native})`
}
