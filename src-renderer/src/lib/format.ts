// Number and time formatting for a monitoring display: fixed significant digits, tabular-friendly,
// through Intl so digits, grouping and clock styles follow the UI language. Bytes use decimal SI
// units (kB, MB), as network throughput is conventionally quoted — and so chart axes, which
// Chart.js steps in decimal, land on round labels (20 MB/s, not 19.1 MiB/s).
//
// Every function takes the locale last (default 'en'); components get locale-bound versions from
// composables/useFormat.ts.

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

// Intl formatters are expensive to build and cheap to use: one per (locale, options).
const numberFormats = new Map<string, Intl.NumberFormat>()
const dateFormats = new Map<string, Intl.DateTimeFormat>()

function nf(locale: string, digits: number, grouping: boolean): Intl.NumberFormat {
  const key = `${locale}|${digits}|${grouping}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: grouping })
    numberFormats.set(key, f)
  }
  return f
}

function df(locale: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withDate}`
  let f = dateFormats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      ...(withDate ? { month: 'short', day: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    dateFormats.set(key, f)
  }
  return f
}

export function formatBytes(n: number, locale = 'en'): string {
  if (!Number.isFinite(n)) return '—'
  let v = Math.abs(n)
  let i = 0
  while (v >= 1000 && i < BYTE_UNITS.length - 1) {
    v /= 1000
    i++
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2
  return `${n < 0 ? '-' : ''}${nf(locale, digits, false).format(v)} ${BYTE_UNITS[i]}`
}

export function formatBytesPerS(n: number, locale = 'en'): string {
  return `${formatBytes(n, locale)}/s`
}

/** 1234567 → "1.23M"; small values keep up to one decimal (rates are often fractional). */
export function formatCount(n: number, locale = 'en'): string {
  if (!Number.isFinite(n)) return '—'
  const a = Math.abs(n)
  if (a >= 1e9) return `${nf(locale, 2, false).format(n / 1e9)}G`
  if (a >= 1e6) return `${nf(locale, 2, false).format(n / 1e6)}M`
  if (a >= 1e4) return `${nf(locale, 1, false).format(n / 1e3)}k`
  if (Number.isInteger(n)) return nf(locale, 0, false).format(n)
  return nf(locale, a >= 100 ? 0 : 1, false).format(n)
}

/** The exact figure with grouping, for tooltips: 1234567.891 → "1,234,567.89". */
export function formatExact(n: number, locale = 'en', maxDigits = 2): string {
  if (!Number.isFinite(n)) return '—'
  const key = `${locale}|exact|${maxDigits}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: maxDigits })
    numberFormats.set(key, f)
  }
  return f.format(n)
}

export function formatPercent(fraction: number, locale = 'en'): string {
  if (!Number.isFinite(fraction)) return '—'
  return `${nf(locale, fraction >= 0.995 || fraction === 0 ? 0 : 1, false).format(fraction * 100)}%`
}

/** Latency from microseconds: "850 µs", "1.25 ms", "2.40 s". */
export function formatLatencyUs(us: number, locale = 'en'): string {
  if (!Number.isFinite(us) || us < 0) return '—'
  if (us < 1000) return `${nf(locale, 0, false).format(us)} µs`
  const ms = us / 1000
  if (ms < 1000) return `${nf(locale, ms >= 100 ? 0 : ms >= 10 ? 1 : 2, false).format(ms)} ms`
  return `${nf(locale, 2, false).format(ms / 1000)} s`
}

/** 3725 s → "1:02:05"; under an hour "2:05". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  const total = Math.floor(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m)
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`
}

/** Wall-clock time of day, 24 h, seconds precision: what a log line next to the chart would show. */
export function formatClock(epochMs: number, locale = 'en'): string {
  if (!Number.isFinite(epochMs)) return '—'
  return df(locale, false).format(epochMs)
}

/** Time of day, with the date in front when it is not today ("Jan 2, 14:03:05"). */
export function formatWhen(epochMs: number, locale = 'en', now = Date.now()): string {
  if (!Number.isFinite(epochMs)) return '—'
  const d = new Date(epochMs)
  const today = new Date(now)
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()
  return df(locale, !sameDay).format(epochMs)
}

/** A file-name-safe local timestamp: 2026-11-26T01-53-07. */
export function fileTimestamp(epochMs: number): string {
  const d = new Date(epochMs)
  const p = (v: number) => String(v).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`
}

/** "5.00 MB/s" → "5 MB/s", "2.50k" → "2.5k": axis labels read better without padding zeros. */
export function trimZeros(label: string): string {
  return label.replace(/(\d)\.(\d*?)0+(?=\D|$)/, (_, int: string, frac: string) => (frac ? `${int}.${frac}` : int))
}
