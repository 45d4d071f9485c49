// Form fields hold what the user typed; the stores turn it into numbers to validate and send.

/** The typed text as a number. Blank is NaN, not 0 (what Number('') gives), so an empty field fails validation. */
export function parseFormNumber(text: string): number {
  const t = text.trim()
  return t === '' ? Number.NaN : Number(t)
}
