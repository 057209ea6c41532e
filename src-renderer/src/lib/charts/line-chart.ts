// Streaming line charts on uPlot. A chart is created once per canvas; new training points
// are appended to its columns and handed to `setData`, which redraws without rebuilding
// the plot. Colours come from the design tokens, so charts follow light and dark mode.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  /** A design token holding the colour, e.g. `--accent`. */
  color: string;
  dash?: number[];
  /** Digits shown in the hover legend. */
  digits?: number;
}

export interface LineChartOptions {
  series: SeriesSpec[];
  height: number;
  /** Fixed y range (D(x) and D(G(z)) are probabilities); otherwise it follows the data. */
  yRange?: [number, number];
  /** What the x axis counts, for the hover legend. */
  xLabel?: string;
}

/** The x column (steps, ascending) first, then one column per series; null leaves a gap. */
export type Columns = (number | null)[][];

function token(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

const DARK = '(prefers-color-scheme: dark)';

export class LineChart {
  readonly #host: HTMLElement;
  readonly #options: LineChartOptions;
  #plot: uPlot;
  #columns: Columns;
  readonly #resize: ResizeObserver;
  readonly #theme: MediaQueryList;
  readonly #onTheme = () => this.#rebuild();

  constructor(host: HTMLElement, options: LineChartOptions) {
    this.#host = host;
    this.#options = options;
    this.#columns = [[], ...options.series.map(() => [])];
    this.#plot = this.#create();
    this.#resize = new ResizeObserver(() => this.#fit());
    this.#resize.observe(host);
    this.#theme = window.matchMedia(DARK);
    this.#theme.addEventListener('change', this.#onTheme);
  }

  #create(): uPlot {
    const text = token('--text-faint');
    const grid = token('--border');
    const font = `11px ${token('--font-sans')}`;
    const axis: uPlot.Axis = {
      stroke: text,
      font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1, size: 4 },
      gap: 4,
    };
    const { yRange, xLabel = 'step' } = this.#options;
    return new uPlot(
      {
        width: Math.max(120, this.#host.clientWidth),
        height: this.#options.height,
        padding: [8, 8, 0, 0],
        cursor: { drag: { x: false, y: false }, points: { size: 6 } },
        legend: { show: true, live: true },
        scales: {
          x: { time: false },
          y: yRange ? { range: yRange } : { range: (_u, min, max) => uPlot.rangeNum(min, max, 0.1, true) },
        },
        axes: [
          { ...axis, size: 28, values: (_u, ticks) => ticks.map((t) => compact(t)) },
          { ...axis, size: 40, values: (_u, ticks) => ticks.map((t) => trim(t)) },
        ],
        series: [
          // Away from the cursor the legend shows the latest values.
          { label: xLabel, value: (_u, v) => whole(v ?? this.#last(0)) },
          ...this.#options.series.map((s, i) => ({
            label: s.label,
            stroke: token(s.color),
            width: 1.75,
            dash: s.dash,
            spanGaps: true,
            points: { show: false },
            value: (_u: uPlot, v: number | null, _s: number, idx: number | null) =>
              digits(idx === null ? this.#last(i + 1) : v, s.digits ?? 3),
          })),
        ],
      },
      this.#columns as unknown as uPlot.AlignedData,
      this.#host,
    );
  }

  #last(column: number): number | null {
    const values = this.#columns[column] ?? [];
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }

  #redraw(): void {
    this.#plot.setData(this.#columns as unknown as uPlot.AlignedData);
    if (this.#plot.cursor.idx == null) this.#plot.setLegend({ idx: null as unknown as number });
  }

  #rebuild(): void {
    this.#plot.destroy();
    this.#plot = this.#create();
  }

  #fit(): void {
    const width = Math.max(120, this.#host.clientWidth);
    if (width !== this.#plot.width) this.#plot.setSize({ width, height: this.#options.height });
  }

  /** Number of points the chart holds. */
  get length(): number {
    return this.#columns[0].length;
  }

  /** The x value of the last point (NaN when empty). */
  get lastX(): number {
    return this.#columns[0].at(-1) ?? Number.NaN;
  }

  /** Appends points (one value per series each) and redraws once. */
  append(points: Array<{ x: number; ys: (number | null)[] }>): void {
    if (points.length === 0) return;
    for (const point of points) {
      this.#columns[0].push(point.x);
      point.ys.forEach((y, i) => this.#columns[i + 1].push(y));
    }
    this.#redraw();
  }

  /** Replaces everything (a run opened, or a resumed run rewound to its checkpoint). */
  replace(columns: Columns): void {
    this.#columns = columns;
    this.#redraw();
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#theme.removeEventListener('change', this.#onTheme);
    this.#plot.destroy();
  }
}

function whole(value: number | null): string {
  return value === null ? '–' : Math.round(value).toLocaleString();
}

function digits(value: number | null, n: number): string {
  return value === null ? '–' : value.toFixed(n);
}

function compact(value: number): string {
  if (Math.abs(value) >= 1000) return `${trim(value / 1000)}k`;
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}
