/**
 * Freeing a large host array at once. A training step replaces the whole model's parameters
 * and optimizer state with new arrays; left to the garbage collector, up to three sets were
 * seen waiting at hidden 1024 (1.3 GB).
 *
 * @module
 */

/**
 * Frees the memory behind `view` now, where the view covers its whole buffer: transferring an
 * ArrayBuffer to length 0 detaches it and drops its contents (ES2024). Elsewhere (an older
 * runtime, a view of part of a buffer) it does nothing, and the garbage collector frees it
 * later. The view, and every other view of the buffer, reads as empty afterwards.
 *
 * @param view An array nothing will read again.
 */
export function releaseBuffer(view: ArrayBufferView): void {
  const buffer = view.buffer as ArrayBuffer & {
    transfer?: (length: number) => ArrayBuffer;
    detached?: boolean;
  };
  if (buffer.detached) return; // freed already
  const whole = view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  if (whole && typeof buffer.transfer === "function") buffer.transfer(0);
}
