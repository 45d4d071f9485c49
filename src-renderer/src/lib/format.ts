// Number formatting for a monitoring display: fixed significant digits, tabular-friendly. Bytes
// use decimal SI units (kB, MB), as network throughput is conventionally quoted — and so chart
// axes, which Chart.js steps in decimal, land on round labels (20 MB/s, not 19.1 MiB/s).

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—'
  let v = Math.abs(n)
  let i = 0
  while (v >= 1000 && i < BYTE_UNITS.length - 1) {
    v /= 1000
    i++
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${BYTE_UNITS[i]}`
}

export function formatBytesPerS(n: number): string {
  return `${formatBytes(n)}/s`
}

/** 1234567 → "1.23M"; small values keep up to one decimal (rates are often fractional). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—'
  const a = Math.abs(n)
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  if (Number.isInteger(n)) return String(n)
  return n.toFixed(a >= 100 ? 0 : 1)
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—'
  return `${(fraction * 100).toFixed(fraction >= 0.995 || fraction === 0 ? 0 : 1)}%`
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
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs)
  const p = (v: number) => String(v).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
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
