import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesPoint {
  /** seconds since the epoch */
  t: number;
  value: number;
  baseline?: number | null;
}

/**
 * A small time-series chart (uPlot): the observed value and, dashed, its baseline. A chart is
 * not readable by a screen reader, so the figure carries a text summary and the caller can
 * give the numbers as a table too.
 */
export function SignalChart({ title, points, unit }: { title: string; points: SeriesPoint[]; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || points.length === 0) return;
    const data: uPlot.AlignedData = [points.map((p) => p.t), points.map((p) => p.value), points.map((p) => p.baseline ?? null)];
    const plot = new uPlot(
      {
        width: 300,
        height: 120,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ size: 24, font: '10px system-ui' }, { size: 36, font: '10px system-ui' }],
        series: [{}, { label: 'observed', stroke: '#1d4ed8', width: 2 }, { label: 'baseline', stroke: '#6b7280', dash: [4, 4], width: 1 }],
      },
      data,
      element,
    );
    return () => plot.destroy();
  }, [points]);
  const last = points.at(-1);
  const summary = last
    ? `${title}: latest ${last.value}${unit ? ` ${unit}` : ''}${last.baseline != null ? `, baseline ${last.baseline}` : ''}, ${points.length} points`
    : `${title}: no data yet`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={summary} />
      {points.length === 0 && <p className="muted">No data yet.</p>}
    </figure>
  );
}
