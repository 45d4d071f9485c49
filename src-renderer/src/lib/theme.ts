// Light/dark: follows the OS (prefers-color-scheme) unless the user picks one in Settings. Colors
// are defined once, as light-dark() custom properties in styles/theme.css (`data-theme` on <html>
// forces a scheme); Chart.js draws on a canvas and cannot read CSS, so the few colors it needs are
// resolved through a probe element's computed color and refreshed when the scheme flips.
import { onBeforeUnmount, ref, shallowRef, watch } from 'vue'
import type { UiTheme } from '../../../src-shared/app-config'

export interface ChartColors {
  text: string
  muted: string
  grid: string
  panel: string
  accent: string
  accent2: string
  danger: string
  warn: string
  ok: string
  /** Cells or areas without data (a shade apart from the panel and from a measured zero). */
  noData: string
}

const STORAGE_KEY = 'iocp-monitor.theme'

/** The user's choice; 'system' follows the OS. */
export const themeSetting = ref<UiTheme>(readStoredTheme())

function readStoredTheme(): UiTheme {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v === 'light' || v === 'dark' || v === 'system') return v
  } catch {
    // Storage unavailable: follow the OS.
  }
  return 'system'
}

/** Applies (and remembers) a theme choice. */
export function setTheme(theme: UiTheme): void {
  themeSetting.value = theme
  applyTheme()
  try {
    localStorage.setItem(STORAGE_KEY, theme)
  } catch {
    // Applied, just not remembered.
  }
}

export function applyTheme(): void {
  const root = document.documentElement
  if (themeSetting.value === 'system') delete root.dataset.theme
  else root.dataset.theme = themeSetting.value
}

function readColors(): ChartColors {
  // A custom property's own value is the light-dark(…) text; the computed `color` of an element
  // that uses it is the resolved rgb() for the scheme in force.
  const probe = document.createElement('span')
  probe.style.display = 'none'
  document.body.appendChild(probe)
  const v = (name: string, fallback: string) => {
    probe.style.color = fallback
    probe.style.color = `var(${name})`
    const c = getComputedStyle(probe).color.trim()
    return /^(rgb|#|hsl)/.test(c) ? c : fallback
  }
  const colors = {
    text: v('--text', '#1f2328'),
    muted: v('--text-muted', '#5f6b7a'),
    grid: v('--grid', '#e4e7eb'),
    panel: v('--panel', '#ffffff'),
    accent: v('--accent', '#3274d9'),
    accent2: v('--accent-2', '#e0752d'),
    danger: v('--danger', '#d0342c'),
    warn: v('--warn', '#a86400'),
    ok: v('--ok', '#1f8a4c'),
    noData: v('--panel-raised', '#f8f9fb'),
  }
  probe.remove()
  return colors
}

/** Reactive chart colors for the current scheme (a shallowRef: the object is replaced, not mutated). */
export function useChartColors() {
  const colors = shallowRef<ChartColors>(readColors())
  const mq = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null
  const update = () => {
    colors.value = readColors()
  }
  mq?.addEventListener?.('change', update)
  const stop = watch(themeSetting, update, { flush: 'post' })
  onBeforeUnmount(() => {
    mq?.removeEventListener?.('change', update)
    stop()
  })
  return colors
}

/** '#rrggbb', 'rgb(r, g, b)' or 'hsl(h s l)' with an alpha. */
export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#') && color.length === 7) {
    const a = Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')
    return `${color}${a}`
  }
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color)
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`
  return color.replace(/\)$/, ` / ${alpha})`)
}
