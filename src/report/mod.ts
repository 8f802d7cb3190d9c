/**
 * Pictures of results: training curves as SVG and a run report as HTML (plain strings, so
 * they work in Deno and in the browser).
 *
 * @module
 */

export { type CurvePoint, curvesSvg } from "./curves.ts";
export { formatLr, lrFindSvg, type LrLossPoint, type LrMark } from "./lr_find_svg.ts";
export { reportHtml, type ReportOptions, type ReportRow } from "./report_html.ts";
export { escapeHtml } from "./escape.ts";
