// Mouse zoom and pan over a time chart, shared by the line charts and the heatmaps:
// drag across the plot to zoom to that span, Shift+drag to pan, double-click to go back to live.
// Every chart shares one time axis (the view store), so zooming one zooms all of them.
import { computed, ref, type Ref } from 'vue'
import { useViewStore, type TimeRange } from '../stores/view'

export interface PlotBox {
  left: number
  right: number
  top: number
  bottom: number
}

export interface BrushSelection {
  left: number
  width: number
  top: number
  height: number
}

/** Drags shorter than this are clicks (tooltips), not selections. */
const MIN_DRAG_PX = 6

export function useTimeBrush(opts: { host: Ref<HTMLElement | null>; plot: () => PlotBox | null; range: () => TimeRange }) {
  const view = useViewStore()
  const selection = ref<BrushSelection | null>(null)
  const panning = ref(false)
  let mode: 'select' | 'pan' | null = null
  let startX = 0
  let box: PlotBox | null = null
  let origin: TimeRange = { min: 0, max: 0 }

  function localX(e: PointerEvent | MouseEvent): { x: number; y: number } {
    const r = opts.host.value?.getBoundingClientRect()
    return r ? { x: e.clientX - r.left, y: e.clientY - r.top } : { x: 0, y: 0 }
  }

  function timeAt(x: number): number {
    const b = box!
    return origin.min + ((x - b.left) / Math.max(1, b.right - b.left)) * (origin.max - origin.min)
  }

  function onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return
    box = opts.plot()
    if (!box) return
    const { x, y } = localX(e)
    if (x < box.left || x > box.right || y < box.top || y > box.bottom) return
    mode = e.shiftKey ? 'pan' : 'select'
    startX = x
    origin = { ...opts.range() }
    panning.value = mode === 'pan'
    ;(e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId)
    e.preventDefault()
  }

  function onPointerMove(e: PointerEvent): void {
    if (!mode || !box) return
    const x = Math.min(box.right, Math.max(box.left, localX(e).x))
    if (mode === 'select') {
      const left = Math.min(startX, x)
      const width = Math.abs(x - startX)
      selection.value = width >= MIN_DRAG_PX ? { left, width, top: box.top, height: box.bottom - box.top } : null
    } else {
      const ms = -((x - startX) / Math.max(1, box.right - box.left)) * (origin.max - origin.min)
      view.panFrom(origin, ms)
    }
  }

  function onPointerUp(e: PointerEvent): void {
    if (mode === 'select' && selection.value) {
      const s = selection.value
      view.zoomTo(timeAt(s.left), timeAt(s.left + s.width))
    }
    ;(e.currentTarget as HTMLElement).releasePointerCapture?.(e.pointerId)
    cancel()
  }

  function cancel(): void {
    mode = null
    box = null
    selection.value = null
    panning.value = false
  }

  function onDoubleClick(): void {
    if (opts.plot()) view.resume()
  }

  /** The selection as the inline style of the chart's brush overlay; undefined when there is none. */
  const brushStyle = computed(() => {
    const s = selection.value
    return s ? { left: `${s.left}px`, width: `${s.width}px`, top: `${s.top}px`, height: `${s.height}px` } : undefined
  })

  return {
    selection,
    brushStyle,
    panning,
    listeners: { pointerdown: onPointerDown, pointermove: onPointerMove, pointerup: onPointerUp, pointercancel: cancel, dblclick: onDoubleClick },
  }
}
