// Small inline SVG charts for the uncertainty workbench: no library, no network.
import { formatAt, formatNumber } from "./lims.js";
import { formatDay } from "./notation.js";

const SVG = "http://www.w3.org/2000/svg";

function node(name, attributes = {}, content) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (content !== undefined) element.textContent = content;
  return element;
}

function chart(width, height, label) {
  const svg = node("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": label,
    class: "chart",
  });
  svg.append(node("title", {}, label));
  return svg;
}

/** Horizontal bars: each input's share of the combined variance (the budget's index). */
export function contributionChart(budget, label) {
  const rows = (budget || []).filter((row) => row.index_percent !== null);
  const bar = 22;
  const left = 110;
  const width = 520;
  const height = rows.length * bar + 30;
  const svg = chart(width, height, label);
  const scale = (width - left - 60) / 100;
  rows.forEach((row, index) => {
    const y = 10 + index * bar;
    svg.append(node("text", { x: left - 8, y: y + 15, "text-anchor": "end", class: "axis" }, row.input));
    svg.append(
      node("rect", {
        x: left,
        y: y + 3,
        width: Math.max(1, row.index_percent * scale),
        height: bar - 6,
        class: "bar",
      }),
    );
    svg.append(
      node(
        "text",
        { x: left + row.index_percent * scale + 6, y: y + 15, class: "value" },
        `${formatNumber(row.index_percent, 3)} %`,
      ),
    );
  });
  return svg;
}

// ln Γ(x) by the Lanczos approximation (g = 7): enough digits for a curve.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < 9; i += 1) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The GUM's distribution of the output: scaled t with the effective dof, or normal. */
export function gumDensity(value, u, dof) {
  if (!dof || !Number.isFinite(dof) || dof > 1e6) {
    return (y) => Math.exp(-0.5 * ((y - value) / u) ** 2) / (u * Math.sqrt(2 * Math.PI));
  }
  const norm = Math.exp(logGamma((dof + 1) / 2) - logGamma(dof / 2)) / Math.sqrt(dof * Math.PI);
  return (y) => (norm * (1 + ((y - value) / u) ** 2 / dof) ** (-(dof + 1) / 2)) / u;
}

/**
 * The Monte Carlo histogram as densities, the GUM curve over it, and both intervals:
 * the GUM's dashed, Monte Carlo's solid.
 */
export function histogramChart({ histogram, trials, gum, gumInterval, mcmInterval }, label) {
  const width = 560;
  const height = 280;
  const margin = { left: 16, right: 16, top: 14, bottom: 40 };
  const svg = chart(width, height, label);
  const { edges, counts } = histogram;
  const widthOf = (index) => edges[index + 1] - edges[index];
  const densities = counts.map((count, index) => count / (trials * widthOf(index)));
  const low = edges[0];
  const high = edges.at(-1);
  const curve = gum ? gumDensity(gum.value, gum.u, gum.dof) : null;
  const samples = 160;
  const curvePoints = curve
    ? Array.from({ length: samples + 1 }, (_, i) => {
        const y = low + ((high - low) * i) / samples;
        return [y, curve(y)];
      })
    : [];
  const top = Math.max(...densities, ...curvePoints.map((point) => point[1])) * 1.08 || 1;
  const x = (y) => margin.left + ((y - low) / (high - low)) * (width - margin.left - margin.right);
  const h = (density) => height - margin.bottom - (density / top) * (height - margin.top - margin.bottom);
  densities.forEach((density, index) => {
    svg.append(
      node("rect", {
        x: x(edges[index]),
        y: h(density),
        width: Math.max(0.5, x(edges[index + 1]) - x(edges[index]) - 0.5),
        height: height - margin.bottom - h(density),
        class: "bar",
      }),
    );
  });
  if (curvePoints.length) {
    const path = curvePoints.map(([y, d], i) => `${i ? "L" : "M"}${x(y).toFixed(1)},${h(d).toFixed(1)}`);
    svg.append(node("path", { d: path.join(" "), class: "curve" }));
  }
  const marker = (value, className) => {
    if (value === null || value === undefined || value < low || value > high) return;
    svg.append(node("line", { x1: x(value), x2: x(value), y1: margin.top, y2: height - margin.bottom, class: className }));
  };
  for (const end of gumInterval || []) marker(end, "interval gum");
  for (const end of mcmInterval || []) marker(end, "interval mcm");
  const axis = height - margin.bottom;
  svg.append(node("line", { x1: margin.left, x2: width - margin.right, y1: axis, y2: axis, class: "axis-line" }));
  const anchors = ["start", "middle", "middle", "middle", "end"];
  for (let i = 0; i <= 4; i += 1) {
    const y = low + ((high - low) * i) / 4;
    // Written to a tenth of the tick spacing: enough digits to tell the ticks apart.
    const label = formatAt(y, (high - low) / 40);
    svg.append(node("text", { x: x(y), y: axis + 16, "text-anchor": anchors[i], class: "axis" }, label));
  }
  return svg;
}

/**
 * Readings over time with their limits (an equipment's intermediate checks): each reading a
 * point, a failed one marked red, the lower and upper limits dashed lines across.
 * ``readings``: [{on: "2026-05-01", value, lower, upper, passed}], oldest first.
 */
export function trendChart(readings, label) {
  const width = 800;
  const height = 220;
  const margin = { left: 64, right: 16, top: 14, bottom: 40 };
  const svg = chart(width, height, label);
  const days = readings.map((reading) => Date.parse(reading.on));
  const limits = readings.flatMap((reading) => [reading.lower, reading.upper]).filter((v) => v !== null);
  const values = [...readings.map((reading) => reading.value), ...limits];
  let low = Math.min(...values);
  let high = Math.max(...values);
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
  low -= pad;
  high += pad;
  const first = Math.min(...days);
  const span = Math.max(...days) - first || 1;
  const x = (day) => margin.left + ((day - first) / span) * (width - margin.left - margin.right);
  const y = (value) => height - margin.bottom - ((value - low) / (high - low)) * (height - margin.top - margin.bottom);
  const axis = height - margin.bottom;
  svg.append(node("line", { x1: margin.left, x2: width - margin.right, y1: axis, y2: axis, class: "axis-line" }));
  svg.append(node("line", { x1: margin.left, x2: margin.left, y1: margin.top, y2: axis, class: "axis-line" }));
  for (const end of ["lower", "upper"]) {
    const limit = readings.map((reading) => reading[end]).filter((v) => v !== null).at(-1);
    if (limit === undefined) continue;
    svg.append(node("line", { x1: margin.left, x2: width - margin.right, y1: y(limit), y2: y(limit), class: "interval gum" }));
    svg.append(node("text", { x: margin.left - 6, y: y(limit) + 4, "text-anchor": "end", class: "axis" }, formatNumber(limit, 4)));
  }
  const path = readings.map((reading, i) => `${i ? "L" : "M"}${x(days[i]).toFixed(1)},${y(reading.value).toFixed(1)}`);
  svg.append(node("path", { d: path.join(" "), class: "interval mcm", fill: "none" }));
  readings.forEach((reading, i) => {
    // A failed check is a red ring, a passed one a filled dot: told apart without colour too.
    const point = node("circle", {
      cx: x(days[i]),
      cy: y(reading.value),
      r: reading.passed ? 4 : 6,
      class: reading.passed ? "bar" : "curve",
    });
    point.append(node("title", {}, `${formatDay(reading.on)}: ${formatNumber(reading.value)}`));
    svg.append(point);
  });
  const anchors = ["start", "end"];
  [first, first + span].forEach((day, i) => {
    if (i === 1 && span === 1) return;
    const when = formatDay(day);
    svg.append(node("text", { x: x(day), y: axis + 16, "text-anchor": anchors[i], class: "axis" }, when));
  });
  return svg;
}
