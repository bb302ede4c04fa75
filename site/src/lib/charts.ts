// Charts drawn at build time as inline SVG: readable with JavaScript off, no chart library in the
// page, and each with a text alternative (the SVG's title and description, and the figures next
// to it). Colours come from CSS (currentColor and classes), so they follow light and dark mode.

export interface Point {
  at: string;
  value: number;
}

export interface ChartText {
  /** `Rows backed up`. */
  title: string;
  /** What one value is: `rows`, `seconds`, `API calls`. */
  unit: string;
}

export interface Chart {
  svg: string;
  /** One sentence: the range, the latest value, min and max. */
  summary: string;
}

const W = 800;
const H = 150;
// Room on the left for the value labels, below for the dates.
const PAD = { left: 72, right: 10, top: 10, bottom: 24 };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A line chart of `points` (oldest first); an empty string when there is nothing to draw. */
export function lineChart(points: readonly Point[], text: ChartText, id: string): Chart | null {
  if (points.length === 0) return null;
  const xs = points.map((p) => Date.parse(p.at));
  const ys = points.map((p) => p.value);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const yMax = Math.max(...ys);
  const yMin = Math.min(...ys);
  // The axis spans the data (with a margin), not zero to max: a slowly growing org would be a flat line.
  const margin = (yMax - yMin) * 0.1 || Math.max(1, yMax * 0.05);
  const bottom = Math.max(0, yMin - margin);
  const top = yMax + margin;
  const sx = (x: number) => PAD.left + (x1 === x0 ? (W - PAD.left - PAD.right) / 2 : ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right));
  const sy = (y: number) => PAD.top + (1 - (y - bottom) / (top - bottom)) * (H - PAD.top - PAD.bottom);
  const coords = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i] as number).toFixed(1)}`);
  const baseline = (H - PAD.bottom).toFixed(1);
  const first = coords[0] as string;
  const last = coords.at(-1) as string;
  const area = `M${first.split(',')[0]},${baseline} L${coords.join(' L')} L${last.split(',')[0]},${baseline} Z`;
  const latest = ys.at(-1) as number;
  const summary = `${text.title}: ${points.length} backup${points.length === 1 ? '' : 's'} from ${day(x0)} to ${day(x1)}; latest ${fmt(latest)} ${text.unit}, lowest ${fmt(yMin)}, highest ${fmt(yMax)}.`;
  const dot = last.split(',');
  const svg =
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${esc(text.title)}</title><desc id="${id}-d">${esc(summary)}</desc>` +
    `<line class="axis" x1="${PAD.left}" y1="${baseline}" x2="${W - PAD.right}" y2="${baseline}"/>` +
    `<path class="area" d="${area}"/>` +
    `<polyline class="line" points="${coords.join(' ')}"/>` +
    `<circle class="dot" cx="${dot[0]}" cy="${dot[1]}" r="3"/>` +
    `<text class="tick" x="${PAD.left}" y="${H - 6}">${day(x0)}</text>` +
    `<text class="tick" x="${W - PAD.right}" y="${H - 6}" text-anchor="end">${day(x1)}</text>` +
    `<text class="tick" x="${PAD.left - 6}" y="${(sy(yMax) + 5).toFixed(1)}" text-anchor="end">${fmt(yMax)}</text>` +
    `<text class="tick" x="${PAD.left - 6}" y="${(sy(yMin) + 5).toFixed(1)}" text-anchor="end">${fmt(yMin)}</text>` +
    `</svg>`;
  return { svg, summary };
}
