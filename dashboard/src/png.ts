// Chart downloads: the standalone SVG of chart-image.ts as an .svg file, or drawn on a canvas as a
// PNG of the chart's size in device pixels (CSS size x devicePixelRatio: the pixels the screen
// shows, so 1:1 on an ordinary display). No library: an SVG image on a canvas is all it takes.
import type { ChartImage } from "./chart-image.ts";

function save(href: string, fileName: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  a.click();
}

/** The PNG's pixel size for a chart: its CSS size times the display's pixel ratio. */
export function pngSize(image: Pick<ChartImage, "width" | "height">, ratio = globalThis.devicePixelRatio || 1): { width: number; height: number } {
  return { width: Math.round(image.width * ratio), height: Math.round(image.height * ratio) };
}

export async function chartToPngDataUrl(image: ChartImage): Promise<string> {
  const url = URL.createObjectURL(new Blob([image.markup], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the chart could not be rendered to an image"));
      img.src = url;
    });
    const { width, height } = pngSize(image);
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(img, 0, 0, width, height);
    return canvas.toDataURL("image/png");
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function downloadPng(image: ChartImage, fileName: string): Promise<void> {
  save(await chartToPngDataUrl(image), fileName);
}

export function downloadSvg(image: ChartImage, fileName: string): void {
  const url = URL.createObjectURL(new Blob([image.markup], { type: "image/svg+xml" }));
  save(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
