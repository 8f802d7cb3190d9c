/**
 * Arithmetic on symbolic dimensions, so shapes like `[16*batch, 30]` survive Reshape,
 * Split and Concat. A dimension is read as a monomial `coef * sym1 * sym2 ...`; any other
 * symbolic text (such as `a+b`) is an opaque symbol.
 *
 * @module
 */

import type { Dim } from "../value.ts";

/** `coef` times the product of `symbols` (kept sorted). */
export interface Monomial {
  readonly coef: number;
  readonly symbols: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * Reads a known dimension as a monomial.
 *
 * @param d A number or a symbolic dimension.
 * @returns The monomial.
 */
export function monomial(d: number | string): Monomial {
  if (typeof d === "number") return { coef: d, symbols: [] };
  const parts = d.split("*");
  if (!parts.every((p) => /^\d+$/.test(p) || NAME.test(p))) return { coef: 1, symbols: [d] };
  let coef = 1;
  const symbols: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) coef *= Number(p);
    else symbols.push(p);
  }
  return { coef, symbols: symbols.sort() };
}

/**
 * Writes a monomial as a dimension: a number, a bare symbol, or `16*batch`.
 *
 * @param m The monomial.
 * @returns The dimension.
 */
export function dimOf(m: Monomial): Dim {
  if (m.symbols.length === 0) return m.coef;
  if (m.coef === 1 && m.symbols.length === 1) return m.symbols[0];
  return [...(m.coef === 1 ? [] : [String(m.coef)]), ...m.symbols].join("*");
}

/**
 * The product of dimensions, or null when any is unknown.
 *
 * @param dims Dimensions.
 * @returns Their product.
 */
export function productOf(dims: readonly Dim[]): Monomial | null {
  let coef = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    const m = monomial(d);
    coef *= m.coef;
    symbols.push(...m.symbols);
  }
  return { coef, symbols: symbols.sort() };
}

/**
 * `a / b` when it is a monomial (b's symbols all appear in a, coefficients divide).
 *
 * @param a Dividend.
 * @param b Divisor.
 * @returns The quotient, or undefined.
 */
export function divide(a: Monomial, b: Monomial): Monomial | undefined {
  if (b.coef === 0 || a.coef % b.coef !== 0) return undefined;
  const rest = [...a.symbols];
  for (const s of b.symbols) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return { coef: a.coef / b.coef, symbols: rest };
}

/**
 * The sum of dimensions: like terms are collected (`batch + batch` is `2*batch`), unlike
 * terms joined with `+`.
 *
 * @param dims Dimensions.
 * @returns The sum, or null when any is unknown.
 */
export function sumOf(dims: readonly Dim[]): Dim {
  if (dims.some((d) => d === null)) return null;
  const terms = new Map<string, Monomial>();
  for (const d of dims as (number | string)[]) {
    const m = monomial(d);
    const key = m.symbols.join("*");
    const prior = terms.get(key);
    terms.set(key, { coef: (prior?.coef ?? 0) + m.coef, symbols: m.symbols });
  }
  const parts = [...terms.values()].filter((m) => m.coef !== 0 || m.symbols.length === 0);
  if (parts.length === 1) return dimOf(parts[0]);
  return parts.filter((m) => m.coef !== 0).map((m) => String(dimOf(m))).join("+");
}
