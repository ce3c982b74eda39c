// Draws bench/chart.svg from benchmark rows: AES-256-GCM seal throughput
// (MB/s) against message size, both axes logarithmic, one line per library
// and runtime. Plain SVG text, no dependencies.
import { type Row, sizeName } from "./measure.ts";
import { GROUPS } from "./tasks.ts";

interface Series {
  name: string;
  color: string;
  dash?: string;
  points: Array<{ size: number; mbPerSec: number }>;
}

const W = 820;
const H = 470;
const PLOT = { left: 78, right: 560, top: 64, bottom: 400 };

/** Which lines to draw, in legend order: [runtime prefix, library, colour, dash]. */
const LINES: Array<[string, string, string, string?]> = [
  ["node", "wasmkms", "#d62728"],
  ["deno", "wasmkms", "#ff7f0e", "7 4"],
  ["bun", "wasmkms", "#8c564b", "2 4"],
  ["node", "node:crypto", "#1f77b4"],
  ["node", "WebCrypto", "#2ca02c"],
  ["node", "@noble/ciphers", "#9467bd"],
  ["deno", "node:crypto", "#17becf", "7 4"],
];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const runtimeLabel = (runtime: string) => runtime.split(" ")[0].replace(/^./, (c) => c.toUpperCase());

function seriesFrom(rows: Row[]): Series[] {
  const seal = rows.filter((r) => r.group === GROUPS.seal && r.mbPerSec !== null);
  const out: Series[] = [];
  for (const [runtime, lib, color, dash] of LINES) {
    const mine = seal.filter((r) => r.runtime.startsWith(runtime) && r.lib === lib).sort((a, b) => a.size - b.size);
    if (mine.length === 0) continue;
    out.push({
      name: `${lib} (${runtimeLabel(mine[0].runtime)})`,
      color,
      dash,
      points: mine.map((r) => ({ size: r.size, mbPerSec: r.mbPerSec ?? 0 })),
    });
  }
  return out;
}

export function renderChart(rows: Row[], subtitle: string): string {
  const series = seriesFrom(rows);
  const sizes = [...new Set(series.flatMap((s) => s.points.map((p) => p.size)))].sort((a, b) => a - b);
  const values = series.flatMap((s) => s.points.map((p) => p.mbPerSec)).filter((v) => v > 0);
  if (sizes.length === 0 || values.length === 0) throw new Error("chart: no AES-256-GCM seal rows to draw");

  const xMin = Math.log2(sizes[0]);
  const xMax = Math.log2(sizes[sizes.length - 1]);
  const yMin = Math.floor(Math.log10(Math.min(...values)));
  const yMax = Math.ceil(Math.log10(Math.max(...values)));
  const x = (size: number) => PLOT.left + ((Math.log2(size) - xMin) / (xMax - xMin || 1)) * (PLOT.right - PLOT.left);
  const y = (v: number) => PLOT.bottom - ((Math.log10(v) - yMin) / (yMax - yMin || 1)) * (PLOT.bottom - PLOT.top);

  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="26" font-size="17" font-weight="bold">AES-256-GCM seal: throughput by message size</text>`,
    `<text x="${PLOT.left}" y="46" fill="#555">${escape(subtitle)}</text>`,
  ];
  // Grid and y-axis labels, one per decade, with fainter lines at 2× and 5×.
  for (let d = yMin; d <= yMax; d++) {
    const v = 10 ** d;
    svg.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ccc"/>`);
    svg.push(`<text x="${PLOT.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toLocaleString("en-US")}</text>`);
    for (const m of [2, 5]) {
      if (d < yMax) svg.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${y(m * v).toFixed(1)}" y2="${y(m * v).toFixed(1)}" stroke="#eee"/>`);
    }
  }
  for (const size of sizes) {
    svg.push(`<line x1="${x(size).toFixed(1)}" x2="${x(size).toFixed(1)}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#ddd"/>`);
    svg.push(`<text x="${x(size).toFixed(1)}" y="${PLOT.bottom + 20}" text-anchor="middle">${sizeName(size)}</text>`);
  }
  svg.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#888"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 44}" text-anchor="middle">message size (log scale)</text>`,
    `<text transform="translate(22 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">MB/s (10⁶ bytes per second, log scale)</text>`,
  );
  // Lines with a dot at each measurement, then the legend.
  series.forEach((s, i) => {
    const path = s.points.map((p, j) => `${j ? "L" : "M"}${x(p.size).toFixed(1)} ${y(p.mbPerSec).toFixed(1)}`).join(" ");
    const width = s.name.startsWith("wasmkms") ? 3 : 2;
    svg.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="${width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    for (const p of s.points) {
      svg.push(`<circle cx="${x(p.size).toFixed(1)}" cy="${y(p.mbPerSec).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escape(s.name)}, ${sizeName(p.size)}: ${Math.round(p.mbPerSec)} MB/s</title></circle>`);
    }
    const ly = PLOT.top + 10 + i * 24;
    svg.push(`<line x1="${PLOT.right + 22}" x2="${PLOT.right + 56}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="${width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    svg.push(`<text x="${PLOT.right + 64}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  if (series.some((s) => s.dash)) {
    svg.push(`<text x="${PLOT.right + 22}" y="${PLOT.top + 22 + series.length * 24}" fill="#555" font-size="11">Dashed and dotted: measured at</text>`);
    svg.push(`<text x="${PLOT.right + 22}" y="${PLOT.top + 37 + series.length * 24}" fill="#555" font-size="11">64 B and 1 MiB only.</text>`);
  }
  svg.push("</svg>", "");
  return svg.join("\n");
}
