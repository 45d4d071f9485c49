// Keyboard shortcuts for the charts, active anywhere except while typing in a field or when a
// dialog is open. Arrow keys are left alone on controls that use them (tabs, radio groups).
//
//   p        pause / back to live          + or =   zoom in       -   zoom out
//   ← →      pan back / forward            0        back to live (undo zoom and pause)
//   1 – 5    span: 1 min, 5 min, 15 min, 1 h, all
//   e        export CSV…                   ?        this list
import { onBeforeUnmount, onMounted } from 'vue'
import { useUiStore } from '../stores/ui'
import { RANGE_PRESETS, useViewStore } from '../stores/view'

export interface Shortcut {
  keys: string[]
  action: string
}

/** For the help dialog (action names are i18n keys under shortcuts.*). */
export const SHORTCUTS: Shortcut[] = [
  { keys: ['P'], action: 'pause' },
  { keys: ['+', '−'], action: 'zoom' },
  { keys: ['←', '→'], action: 'pan' },
  { keys: ['0'], action: 'live' },
  { keys: ['1', '2', '3', '4', '5'], action: 'span' },
  { keys: ['E'], action: 'export' },
  { keys: ['?'], action: 'help' },
  { keys: ['←', '→', 'Home', 'End'], action: 'tabs' },
  { keys: ['Shift', 'drag'], action: 'dragPan' },
]

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  const tag = el.tagName
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || el.isContentEditable
}

function usesArrows(target: EventTarget | null): boolean {
  const role = (target as HTMLElement | null)?.getAttribute?.('role')
  return role === 'tab' || role === 'radio' || role === 'slider' || role === 'menuitem'
}

export function useShortcuts(): void {
  const ui = useUiStore()
  const view = useViewStore()

  function onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return
    if (typing(e.target) || ui.exportOpen || ui.shortcutsOpen) return
    const charts = ui.tab === 'server' || ui.tab === 'load' || ui.tab === 'errors'
    let handled = true
    switch (e.key) {
      case '?':
        ui.shortcutsOpen = true
        break
      case 'e':
      case 'E':
        ui.exportOpen = true
        break
      default:
        handled = false
    }
    if (!handled && charts) {
      handled = true
      switch (e.key) {
        case 'p':
        case 'P':
          view.togglePause()
          break
        case '+':
        case '=':
          view.zoomBy(0.5)
          break
        case '-':
        case '_':
          view.zoomBy(2)
          break
        case '0':
          view.resume()
          break
        case 'ArrowLeft':
        case 'ArrowRight':
          if (usesArrows(e.target)) handled = false
          else view.panBy(e.key === 'ArrowLeft' ? -0.25 : 0.25)
          break
        default: {
          const n = Number(e.key)
          if (Number.isInteger(n) && n >= 1 && n <= RANGE_PRESETS.length) view.setPreset(RANGE_PRESETS[n - 1].id)
          else handled = false
        }
      }
    }
    if (handled) e.preventDefault()
  }

  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
