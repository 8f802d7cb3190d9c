/**
 * Reading the JSON files onnx-lm writes, field by field, with errors naming the file and field.
 *
 * @module
 */

export { type Bounds, ContractError, Fields } from "./fields.ts";
export { type NumberRange, NumberTextError, readInteger, readNumber } from "./numbers.ts";
