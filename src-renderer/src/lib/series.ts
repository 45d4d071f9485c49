// The shape TimeSeriesChart draws: labelled, colored lines of plain {x, y} points (built fresh
// for each frame by TickHistory — Chart.js annotates what it is given, and must never be handed a
// reactive proxy or data shared with the store).
import type { Point } from './tick-history'

export type { Point }

/** One line as TimeSeriesChart draws it. */
export interface ChartSeries {
  label: string
  color: string
  points: Point[]
  dashed?: boolean
  /** Fill under the line (or, in a stacked chart, down to the previous series). */
  fill?: boolean
}
