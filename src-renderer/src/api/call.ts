// Every transport call resolves with a Result; this also turns a rejected promise (a broken
// transport) or a malformed reply into an ApiError, so no store ever has to catch.
import type { Ref } from 'vue'
import type { ApiError, Result } from '../../../src-shared/result'
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

/**
 * A store's actions, one at a time: a runner that refuses (null) while another action is pending,
 * clears lastError, sets it from a failed reply, and always clears pending — the bookkeeping every
 * store's actions share.
 */
export function pendingActions<A extends string>(pending: Ref<A | null>, lastError: Ref<ApiError | null>) {
  return async function run<T>(action: A, fn: () => Promise<Result<T>>): Promise<Result<T> | null> {
    if (pending.value !== null) return null
    pending.value = action
    lastError.value = null
    try {
      const r = await call(fn)
      if (!r.ok) lastError.value = r.error
      return r
    } finally {
      pending.value = null
    }
  }
}
