/**
 * Markdown tables laid out the way `deno fmt` lays them out (cells padded to their column's
 * width), so a generated document passes `deno fmt --check` as written.
 *
 * @module
 */

/**
 * A Markdown table.
 *
 * @param header The header cells.
 * @param rows The body rows, each as many cells as the header.
 * @returns The table's lines joined by newlines (no trailing newline).
 * @throws Error when a row has the wrong number of cells.
 */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new Error(`Table row ${i} has ${row.length} cells: expected ${header.length}`);
    }
  });
  // Code points, not UTF-16 units: "≥" and "±" are one column wide.
  const width = (cell: string) => [...cell].length;
  const widths = header.map((h, c) => Math.max(3, width(h), ...rows.map((r) => width(r[c]))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell + " ".repeat(widths[c] - width(cell))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
