/**
 * Pins an error's class and exact message, as the house style asks of every error test.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * Asserts that `fn` throws an instance of `type` with exactly `message`.
 *
 * @param fn Does something invalid.
 * @param type The error class (RangeError, GraphBuildError, ...).
 * @param message The expected message.
 */
export function assertThrowsExactly(
  fn: () => unknown,
  type: new (message?: string) => Error,
  message: string,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}
