// Small runtime guards shared by every validator of the contract (validate.ts and the value
// validators of alerts, app config and recordings). They import only the leaf ./result, so any
// shared file may use them without creating an import cycle.
import type { ApiError } from './result'

/**
 * A plain object: `{…}` literal, JSON.parse output or a structured clone. Class instances,
 * arrays and null are not, so nothing with a getter or a custom prototype reaches the service.
 */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

export function invalidMessage(message: string): ApiError {
  return { code: 'invalid-message', message }
}

/** Keys of `obj` that are not own keys of `known` (hasOwn: `__proto__`, `toString` are unknown). */
export function unknownKeys(obj: Record<string, unknown>, known: object): string[] {
  return Object.keys(obj).filter((k) => !Object.hasOwn(known, k))
}

export function isNonNegativeNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0
}

export function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}
