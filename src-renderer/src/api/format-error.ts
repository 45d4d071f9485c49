import type { ApiError } from '../../../src-shared/result'

/** "address-in-use (EADDRINUSE 98)": the portable name first, then the OS's own words for it. */
export function apiErrorTitle(e: ApiError): string {
  const native = [e.nativeName, e.nativeCode].filter((v) => v !== undefined && v !== '').join(' ')
  return native ? `${e.code} (${native})` : e.code
}

/** One line for logs, tooltips and tests: "address-in-use (EADDRINUSE 98): bind failed: …". */
export function formatApiError(e: ApiError): string {
  return `${apiErrorTitle(e)}: ${e.message}`
}

/** Anything thrown at us (a rejected promise from a misbehaving transport) as an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (typeof e === 'object' && e !== null && typeof (e as ApiError).code === 'string' && typeof (e as ApiError).message === 'string') {
    return e as ApiError
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) }
}
