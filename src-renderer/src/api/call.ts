// Every transport call resolves with a Result; this also turns a rejected promise (a broken
// transport) or a malformed reply into an ApiError, so no store ever has to catch.
import type { Result } from '../../../src-shared/result'
import { toApiError } from './format-error'

export async function call<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    const r = await fn()
    if (r && typeof r === 'object' && typeof r.ok === 'boolean') return r
    return { ok: false, error: { code: 'internal', message: 'The service returned a malformed reply.' } }
  } catch (e) {
    return { ok: false, error: toApiError(e) }
  }
}
