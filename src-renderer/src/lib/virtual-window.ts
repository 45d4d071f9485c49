// The rows a fixed-row-height list has to render: those inside the viewport plus `overscan` on
// each side, so a 10,000-row table puts a few dozen rows in the DOM and spacers stand in for the
// rest. Pure: the table computes it from its scroll position.
export interface VirtualWindow {
  /** First and one-past-last row index to render. */
  start: number
  end: number
  /** Heights of the spacers before and after the rendered rows. */
  padTop: number
  padBottom: number
}

export function virtualWindow(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 8): VirtualWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const start = Math.max(0, Math.min(count, first - overscan))
  const end = Math.max(start, Math.min(count, first + visible + overscan))
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight }
}

/** The scrollTop that brings row `index` fully into view (unchanged when it already is). */
export function scrollToReveal(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = index * rowHeight
  if (top < scrollTop) return top
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight
  return scrollTop
}
