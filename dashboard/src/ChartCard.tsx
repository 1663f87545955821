// A titled panel around one chart, with its unit under the title and PNG and SVG downloads of the
// chart (the chart's own surface with its legend, see chart-image.ts).
import { useRef } from "react";
import { chartImage } from "./chart-image.ts";
import { downloadPng, downloadSvg } from "./png.ts";

interface Props {
  readonly title: string;
  readonly unit: React.ReactNode;
  readonly testId: string;
  readonly extra?: React.ReactNode;
  readonly children: React.ReactNode;
}

export function ChartCard({ title, unit, testId, extra, children }: Props) {
  const body = useRef<HTMLDivElement>(null);
  const name = testId.replace(/^chart-/, "");
  const image = () => (body.current ? chartImage(body.current) : null);
  const savePng = () => { const i = image(); if (i) void downloadPng(i, `${name}.png`); };
  const saveSvg = () => { const i = image(); if (i) downloadSvg(i, `${name}.svg`); };
  return (
    <section className="card" data-testid={testId}>
      <header className="card-head">
        <div>
          <h3>{title}</h3>
          <div className="card-unit">{unit}</div>
        </div>
        <div className="card-tools">
          {extra}
          <button className="btn-ghost" onClick={savePng} title="Download this chart as PNG (its on-screen size)" data-testid={`${testId}-png`}>PNG</button>
          <button className="btn-ghost" onClick={saveSvg} title="Download this chart as SVG" data-testid={`${testId}-svg`}>SVG</button>
        </div>
      </header>
      <div ref={body} className="chart-body">{children}</div>
    </section>
  );
}
