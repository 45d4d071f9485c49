// The formatters of lib/format.ts bound to the UI language. Each function reads the locale when it
// is called, so a computed or template that formats a number re-renders when the language changes.
import { useI18n } from 'vue-i18n'
import * as f from '../lib/format'

export function useFormat() {
  const { locale } = useI18n()
  const l = () => locale.value
  return {
    locale,
    bytes: (n: number) => f.formatBytes(n, l()),
    bytesPerS: (n: number) => f.formatBytesPerS(n, l()),
    count: (n: number) => f.formatCount(n, l()),
    perS: (n: number) => `${f.formatCount(n, l())}/s`,
    exact: (n: number, digits?: number) => f.formatExact(n, l(), digits),
    percent: (fraction: number) => f.formatPercent(fraction, l()),
    latency: (us: number) => f.formatLatencyUs(us, l()),
    clock: (t: number) => f.formatClock(t, l()),
    when: (t: number) => f.formatWhen(t, l()),
    duration: f.formatDuration,
  }
}

export type Formatters = ReturnType<typeof useFormat>
