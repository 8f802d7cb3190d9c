/**
 * Node attributes, written and read in one place. The writers build `AttributeValue`s and
 * leave an attribute out when its value is the spec default given (so files stay as small as
 * ONNX allows); `attrs()` collects them into a node's `Attributes`. The readers return an
 * attribute's value, or a fallback (the spec default) when it is absent, and throw a
 * `GraphBuildError` when it is present with another type: a wrong type is a malformed node,
 * and falling back would silently compute something else.
 *
 * @example
 * ```ts
 * import { attrs, boolAttr, intAttr, readInt } from "./attributes.ts";
 *
 * const a = attrs({ axis: intAttr(1, 0), keepdims: boolAttr(true, true) });
 * if (readInt(a, "axis", 0) !== 1 || "keepdims" in a) throw new Error("unexpected");
 * ```
 *
 * @module
 */

import type { Attributes, AttributeValue } from "../onnx/model.ts";
import type { Tensor } from "../onnx/tensor.ts";
import { GraphBuildError } from "./errors.ts";

/** The ONNX attribute types by their tag: `"int"`, `"ints"`, `"float"`, ... */
export type AttributeType = AttributeValue["type"];

/** The attribute of one type, e.g. `AttributeOf<"int">` is `{ type: "int"; value: number }`. */
export type AttributeOf<T extends AttributeType> = Extract<AttributeValue, { readonly type: T }>;

/** What an attribute of each type holds: `AttributeData["ints"]` is `readonly number[]`. */
export type AttributeData = { readonly [A in AttributeValue as A["type"]]: A["value"] };

/**
 * Collects attributes by spec name, leaving out the ones a writer left out (undefined).
 *
 * @param entries Attributes by name; undefined entries are dropped.
 * @returns The node's attributes.
 */
export function attrs(entries: Readonly<Record<string, AttributeValue | undefined>>): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const [name, a] of Object.entries(entries)) if (a !== undefined) out[name] = a;
  return out;
}

/**
 * An int attribute, left out when `value` is undefined or equals the spec default.
 *
 * @param value The value, or undefined for the default.
 * @param fallback The spec default; omit it to write every given value.
 * @returns The attribute, or undefined when it is left out.
 */
export function intAttr(
  value: number | undefined,
  fallback?: number,
): AttributeOf<"int"> | undefined {
  return value === undefined || value === fallback ? undefined : { type: "int", value };
}

/**
 * A flag stored as ONNX stores them, an int 0 or 1, left out when it equals the spec default.
 *
 * @param value The flag, or undefined for the default.
 * @param fallback The spec default.
 * @returns The attribute, or undefined when it is left out.
 */
export function boolAttr(
  value: boolean | undefined,
  fallback: boolean,
): AttributeOf<"int"> | undefined {
  return value === undefined || value === fallback
    ? undefined
    : { type: "int", value: value ? 1 : 0 };
}

/**
 * A float attribute, left out when `value` is undefined or equals the spec default.
 *
 * @param value The value, or undefined for the default.
 * @param fallback The spec default; omit it to write every given value.
 * @returns The attribute, or undefined when it is left out.
 */
export function floatAttr(
  value: number | undefined,
  fallback?: number,
): AttributeOf<"float"> | undefined {
  return value === undefined || value === fallback ? undefined : { type: "float", value };
}

/**
 * A string attribute, left out when `value` is undefined or equals the spec default.
 *
 * @param value The value, or undefined for the default.
 * @param fallback The spec default; omit it to write every given value.
 * @returns The attribute, or undefined when it is left out.
 */
export function stringAttr(
  value: string | undefined,
  fallback?: string,
): AttributeOf<"string"> | undefined {
  return value === undefined || value === fallback ? undefined : { type: "string", value };
}

/**
 * An ints attribute, left out when `value` is undefined or equals the spec default entry by
 * entry (`intsAttr(axes, [])` leaves out an empty list).
 *
 * @param value The values, or undefined for the default.
 * @param fallback The spec default; omit it to write every given list.
 * @returns The attribute, or undefined when it is left out.
 */
export function intsAttr(
  value: readonly number[] | undefined,
  fallback?: readonly number[],
): AttributeOf<"ints"> | undefined {
  if (value === undefined) return undefined;
  const isDefault = fallback !== undefined && value.length === fallback.length &&
    value.every((v, i) => v === fallback[i]);
  return isDefault ? undefined : { type: "ints", value };
}

/**
 * A tensor attribute (a Constant's value; tensors have no spec default to leave out).
 *
 * @param value The tensor.
 * @returns The attribute.
 */
export function tensorAttr(value: Tensor): AttributeOf<"tensor"> {
  return { type: "tensor", value };
}

/**
 * The value of attribute `name` when present, undefined when absent.
 *
 * @param attributes The node's attributes.
 * @param name The attribute's spec name.
 * @param type The type it must have.
 * @param where Start of the error message, e.g. `Cannot build "Gemm"` (none when omitted).
 * @returns Its value, or undefined.
 * @throws GraphBuildError when the attribute is present with another type.
 */
export function readAttribute<T extends AttributeType>(
  attributes: Attributes,
  name: string,
  type: T,
  where?: string,
): AttributeData[T] | undefined {
  const a = attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== type) {
    const message = `attribute "${name}" must be of type ${type}: got ${a.type}`;
    throw new GraphBuildError(
      where ? `${where}: ${message}` : message[0].toUpperCase() + message.slice(1),
    );
  }
  return a.value as AttributeData[T];
}

/**
 * An int attribute, or its spec default when absent.
 *
 * @param attributes The node's attributes.
 * @param name The attribute's spec name.
 * @param fallback The spec default.
 * @param where Start of the error message (see `readAttribute`).
 * @returns The value.
 * @throws GraphBuildError when the attribute is not an int.
 */
export function readInt(
  attributes: Attributes,
  name: string,
  fallback: number,
  where?: string,
): number {
  return readAttribute(attributes, name, "int", where) ?? fallback;
}

/**
 * A float attribute, or its spec default when absent.
 *
 * @param attributes The node's attributes.
 * @param name The attribute's spec name.
 * @param fallback The spec default.
 * @param where Start of the error message (see `readAttribute`).
 * @returns The value.
 * @throws GraphBuildError when the attribute is not a float.
 */
export function readFloat(
  attributes: Attributes,
  name: string,
  fallback: number,
  where?: string,
): number {
  return readAttribute(attributes, name, "float", where) ?? fallback;
}

/**
 * A string attribute, or its spec default when absent.
 *
 * @param attributes The node's attributes.
 * @param name The attribute's spec name.
 * @param fallback The spec default.
 * @param where Start of the error message (see `readAttribute`).
 * @returns The value.
 * @throws GraphBuildError when the attribute is not a string.
 */
export function readString(
  attributes: Attributes,
  name: string,
  fallback: string,
  where?: string,
): string {
  return readAttribute(attributes, name, "string", where) ?? fallback;
}

/**
 * An ints attribute, or its spec default when absent.
 *
 * @param attributes The node's attributes.
 * @param name The attribute's spec name.
 * @param fallback The spec default (for `perm`, the reversed axes).
 * @param where Start of the error message (see `readAttribute`).
 * @returns The values.
 * @throws GraphBuildError when the attribute is not an ints list.
 */
export function readInts(
  attributes: Attributes,
  name: string,
  fallback: readonly number[],
  where?: string,
): readonly number[] {
  return readAttribute(attributes, name, "ints", where) ?? fallback;
}
