import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesData {
  /** bucket starts, seconds since the epoch, oldest first */
  times: number[];
  observed: number[];
  /** the baseline each bucket was judged against (the mean) */
  baseline: (number | null)[];
  /** where an alert would fire, when the signal has one */
  threshold?: (number | null)[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * A small time-series chart (uPlot): the observed value, its baseline (dashed) and, when
 * given, the alert threshold (dotted). A chart is not readable by a screen reader, so the
 * drawing is an image whose label says the latest value against its baseline.
 */
export function SignalChart({ title, data, unit }: { title: string; data: SeriesData; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const points = data.times.length;
  useEffect(() => {
    const element = box.current;
    if (!element || points === 0) return;
    const plot = new uPlot(
      {
        width: 300,
        height: 130,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ size: 28, font: '10px system-ui' }, { size: 40, font: '10px system-ui' }],
        series: [
          {},
          { label: 'observed', stroke: '#1d4ed8', width: 2 },
          { label: 'baseline', stroke: '#4b5563', dash: [5, 4], width: 1 },
          { label: 'threshold', stroke: '#b91c1c', dash: [2, 3], width: 1 },
        ],
      },
      [data.times, data.observed, data.baseline, data.threshold ?? data.times.map(() => null)],
      element,
    );
    return () => plot.destroy();
  }, [data, points]);
  const i = points - 1;
  const baseline = i >= 0 ? data.baseline[i] : null;
  const summary =
    i >= 0
      ? `${title}: latest ${round(data.observed[i]!)}${unit ? ` ${unit}` : ''}${baseline != null ? `, baseline ${round(baseline)}` : ''}, peak ${round(Math.max(...data.observed))} over ${points} buckets`
      : `${title}: no data yet`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={summary} />
      <p className="muted small">{summary}</p>
    </figure>
  );
}
