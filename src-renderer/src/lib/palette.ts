// One stable color per worker, the same in every chart and table. The first 16 are a classic
// monitoring palette (distinct in both themes); beyond that hues are spread by the golden angle.
const BASE = [
  '#3274d9', '#e0752d', '#56a64b', '#e02f44', '#8f3bb8', '#14a8a8', '#c4a000', '#6e6e6e',
  '#1f60c4', '#fa6400', '#37872d', '#c4162a', '#a352cc', '#0f8b8d', '#b8860b', '#8c564b',
]

export function workerColor(worker: number): string {
  if (worker < BASE.length) return BASE[worker]
  const hue = Math.round((worker * 137.508) % 360)
  return `hsl(${hue} 62% 48%)`
}

// Error names get warm, distinct colors (an error timeline should read as "trouble" at a glance),
// assigned in the order the names first appeared so a name keeps its color for the whole run.
const ERROR_COLORS = ['#e02f44', '#fa6400', '#c4a000', '#a352cc', '#c4162a', '#8c564b', '#e0752d', '#b8860b', '#0f8b8d', '#6e6e6e']

export function errorColor(index: number): string {
  return ERROR_COLORS[index % ERROR_COLORS.length]
}
