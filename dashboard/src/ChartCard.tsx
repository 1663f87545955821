// A titled panel around one chart, with its unit under the title and a PNG download of the chart.
import { useRef } from "react";
import { svgToPng } from "./png.ts";

interface Props {
  readonly title: string;
  readonly unit: React.ReactNode;
  readonly testId: string;
  readonly extra?: React.ReactNode;
  readonly children: React.ReactNode;
}

export function ChartCard({ title, unit, testId, extra, children }: Props) {
  const body = useRef<HTMLDivElement>(null);
  const savePng = () => {
    const svg = body.current?.querySelector("svg.recharts-surface");
    if (svg) void svgToPng(svg as SVGSVGElement, `${testId.replace(/^chart-/, "")}.png`);
  };
  return (
    <section className="card" data-testid={testId}>
      <header className="card-head">
        <div>
          <h3>{title}</h3>
          <div className="card-unit">{unit}</div>
        </div>
        <div className="card-tools">
          {extra}
          <button className="btn-ghost" onClick={savePng} title="Download this chart as PNG">PNG</button>
        </div>
      </header>
      <div ref={body}>{children}</div>
    </section>
  );
}
