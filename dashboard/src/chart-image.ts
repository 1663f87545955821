// One chart as a standalone SVG document: the chart's own surface (the recharts wrapper's svg, not
// the first svg in the card, which is a 28x28 legend swatch), at its on-screen size, on the page's
// background, with the HTML legend redrawn inside it as SVG (a swatch and a label per entry, where
// the page shows them). The PNG and SVG downloads and the HTML report all start from it.
// Trades away: CSS that is not inline on the chart's elements (recharts puts colors and fonts in
// attributes, so little is lost), and legend icons are redrawn as plain line swatches.

import { chartTheme } from "./theme.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The exported image's background: the page's, in the current theme (theme.ts). */
export const chartBackground = (): string => chartTheme().background;
const FONT = "system-ui, -apple-system, Segoe UI, sans-serif";

export interface ChartImage {
  /** a complete SVG document (xmlns set), width x height CSS pixels */
  readonly markup: string;
  readonly width: number;
  readonly height: number;
}

/** The chart's plotting surface inside a card: the recharts wrapper's own svg. */
export function chartSurface(container: Element): SVGSVGElement | null {
  return container.querySelector<SVGSVGElement>(".recharts-wrapper > svg.recharts-surface");
}

/** The chart in `container` as a standalone SVG, or null when it has not rendered. */
export function chartImage(container: Element): ChartImage | null {
  const svg = chartSurface(container);
  if (!svg) return null;
  const box = svg.getBoundingClientRect();
  const width = Math.round(box.width), height = Math.round(box.height);
  if (width === 0 || height === 0) return null;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", SVG_NS);
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  clone.setAttribute("viewBox", `0 0 ${width} ${height}`);
  clone.setAttribute("style", `font-family: ${FONT}; font-size: 11px`);
  const bg = document.createElementNS(SVG_NS, "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.setAttribute("fill", chartBackground());
  clone.insertBefore(bg, clone.firstChild);
  const legend = svg.parentElement?.querySelector(".recharts-legend-wrapper");
  if (legend) clone.appendChild(legendAsSvg(legend, box));
  return { markup: new XMLSerializer().serializeToString(clone), width, height };
}

/** The HTML legend's entries redrawn in SVG at the same places relative to the chart. */
function legendAsSvg(legend: Element, origin: DOMRect): SVGGElement {
  const g = document.createElementNS(SVG_NS, "g");
  for (const item of legend.querySelectorAll(".recharts-legend-item")) {
    const label = item.querySelector<HTMLElement>(".recharts-legend-item-text");
    const icon = item.querySelector("svg");
    if (!label || !icon) continue;
    const color = label.style.color || icon.querySelector("path")?.getAttribute("stroke") || icon.querySelector("path")?.getAttribute("fill") || chartTheme().text;
    const ib = icon.getBoundingClientRect(), lb = label.getBoundingClientRect();
    const cy = ib.top - origin.top + ib.height / 2;
    const swatch = document.createElementNS(SVG_NS, "line");
    swatch.setAttribute("x1", String(ib.left - origin.left));
    swatch.setAttribute("x2", String(ib.right - origin.left));
    swatch.setAttribute("y1", String(cy));
    swatch.setAttribute("y2", String(cy));
    swatch.setAttribute("stroke", color);
    swatch.setAttribute("stroke-width", "3");
    const text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("x", String(lb.left - origin.left));
    text.setAttribute("y", String(cy));
    text.setAttribute("dominant-baseline", "central");
    text.setAttribute("fill", color);
    text.setAttribute("font-size", "12");
    text.textContent = label.textContent ?? "";
    g.append(swatch, text);
  }
  return g;
}
