/**
 * What a shape-inference rule sees of a node, and the helpers every rule shares.
 *
 * @module
 */

import { formatList } from "../../onnx/format.ts";
import type { Tensor } from "../../onnx/tensor.ts";
import type { Attributes } from "../../onnx/model.ts";
import { readAttribute, readFloat, readString } from "../attributes.ts";
import type { Dim, TypeInfo } from "../value.ts";
import { formatType, isStaticShape, normAxis } from "../value.ts";
import { GraphBuildError } from "../errors.ts";

/** A node as an inference rule sees it. */
export class InferContext {
  /**
   * The error for one node that cannot be built.
   *
   * @param opType The operator.
   * @param inputNames The spec's input names (`A`, `B`, ...) for messages.
   * @param inputs Input types; undefined for omitted optional inputs.
   * @param attributes The node's attributes.
   * @param nOutputs How many outputs the node declares.
   * @param valueOf Known values of int64 inputs (constants and shape arithmetic).
   * @param prefix Start of every error message, e.g. `Cannot build "Gemm"`.
   */
  constructor(
    readonly opType: string,
    readonly inputNames: readonly string[],
    readonly inputs: readonly (TypeInfo | undefined)[],
    readonly attributes: Attributes,
    readonly nOutputs: number,
    private readonly valueOf: (index: number) => readonly Dim[] | undefined,
    private readonly prefix: string,
  ) {}

  /** Throws a GraphBuildError: `<prefix>: <message>`. */
  fail(message: string): never {
    throw new GraphBuildError(`${this.prefix}: ${message}`);
  }

  /** `input "B"` (or `input 3` past the named inputs of variadic ops). */
  label(index: number): string {
    const name = this.inputNames[Math.min(index, this.inputNames.length - 1)];
    return this.inputNames.length > index || !name ? `input "${name ?? index}"` : `input ${index}`;
  }

  /** The type of a required input. */
  input(index: number): TypeInfo {
    const t = this.inputs[index];
    if (!t) this.fail(`${this.label(index)} is required`);
    return t;
  }

  /** Whether an optional input was given. */
  has(index: number): boolean {
    return this.inputs[index] !== undefined;
  }

  /** Fails unless the input's dtype is one of `allowed`. */
  expectDtype(index: number, allowed: readonly string[]): TypeInfo {
    const t = this.input(index);
    if (!allowed.includes(t.dtype)) {
      this.fail(
        `${this.label(index)} must be ${allowed.join(" or ")}: got ${formatType(t)}`,
      );
    }
    return t;
  }

  /** Fails unless the input has exactly this rank. */
  expectRank(index: number, rank: number): TypeInfo {
    const t = this.input(index);
    if (t.shape.length !== rank) {
      this.fail(`${this.label(index)} must have rank ${rank}: got rank ${t.shape.length}`);
    }
    return t;
  }

  /** Fails unless inputs `a` and `b` have the same dtype. */
  expectSameDtype(a: number, b: number): void {
    const ta = this.input(a);
    const tb = this.input(b);
    if (ta.dtype !== tb.dtype) {
      this.fail(
        `${this.label(b)} must have the same dtype as ${this.label(a)}: expected ${ta.dtype}, ` +
          `got ${tb.dtype}`,
      );
    }
  }

  /** The int64 contents of an input known at build time (a constant or shape arithmetic). */
  known(index: number): readonly Dim[] | undefined {
    return this.inputs[index] ? this.valueOf(index) : undefined;
  }

  /** Like `known` but fails when the value is not known at build time. */
  requireKnown(index: number): readonly Dim[] {
    const v = this.known(index);
    if (!v) {
      this.fail(`${this.label(index)} must be a constant known when the graph is built`);
    }
    return v;
  }

  /** Like `requireKnown` but every element must be a number. */
  requireStatic(index: number): readonly number[] {
    const v = this.requireKnown(index);
    if (!isStaticShape(v)) {
      this.fail(`${this.label(index)} must hold static numbers: got ${formatList(v)}`);
    }
    return v;
  }

  // The attribute readers below fail with this node's prefix on a wrong type (see
  // `readAttribute`).

  /** An int attribute, its default, or a failure when required and absent. */
  int(name: string, fallback?: number): number {
    const value = readAttribute(this.attributes, name, "int", this.prefix) ?? fallback;
    if (value === undefined) this.fail(`attribute "${name}" is required`);
    return value;
  }

  /** An ints attribute, or undefined. */
  ints(name: string): readonly number[] | undefined {
    return readAttribute(this.attributes, name, "ints", this.prefix);
  }

  /** A float attribute or its default. */
  float(name: string, fallback: number): number {
    return readFloat(this.attributes, name, fallback, this.prefix);
  }

  /** A string attribute or its default. */
  string(name: string, fallback: string): string {
    return readString(this.attributes, name, fallback, this.prefix);
  }

  /** A tensor attribute, or undefined. */
  tensor(name: string): Tensor | undefined {
    return readAttribute(this.attributes, name, "tensor", this.prefix);
  }

  /**
   * An axis in `[-rank, rank-1]`, made non-negative.
   *
   * @param axis The axis as given.
   * @param rank The rank it indexes.
   * @param what What the axis is, for the message (e.g. `attribute "axis"`).
   */
  axis(axis: number, rank: number, what: string): number {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      this.fail(`${what} must be in [${-rank}, ${rank - 1}]: got ${axis}`);
    }
    return normAxis(axis, rank);
  }
}
