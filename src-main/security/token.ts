// The dashboard's access token: random per run, compared in constant time so response timing
// cannot reveal how many leading characters of a guess were right.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export function generateToken(): string {
  return randomBytes(16).toString('hex')
}

/** Constant-time equality. Both sides are hashed first so differing lengths leak nothing either. */
export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}
