// Light/dark follows the OS (prefers-color-scheme). Colors are defined once, as CSS custom
// properties in styles/theme.css; Chart.js draws on a canvas and cannot read CSS, so the few
// colors it needs are read from the computed style and refreshed when the scheme flips.
import { onBeforeUnmount, shallowRef } from 'vue'

export interface ChartColors {
  text: string
  muted: string
  grid: string
  panel: string
  accent: string
  accent2: string
  danger: string
}

function readColors(): ChartColors {
  const s = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback
  return {
    text: v('--text', '#1f2328'),
    muted: v('--text-muted', '#5f6b7a'),
    grid: v('--grid', '#e4e7eb'),
    panel: v('--panel', '#ffffff'),
    accent: v('--accent', '#3274d9'),
    accent2: v('--accent-2', '#e0752d'),
    danger: v('--danger', '#d0342c'),
  }
}

/** Reactive chart colors for the current scheme (a shallowRef: the object is replaced, not mutated). */
export function useChartColors() {
  const colors = shallowRef<ChartColors>(readColors())
  const mq = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null
  const update = () => {
    colors.value = readColors()
  }
  mq?.addEventListener?.('change', update)
  onBeforeUnmount(() => mq?.removeEventListener?.('change', update))
  return colors
}
