/**
 * Feeds a loop carries from one run to the next (parameters, optimizer state, recurrent
 * state), wherever they live: host tensors, or GPU buffers left on the device by
 * `SessionOptions.keepOnDevice`. Replacing or clearing a slot frees the GPU memory of what it
 * held, so a loop never disposes by hand; `toHost` brings device slots back.
 *
 * @module
 */

import { Graph } from "../graph/graph.ts";
import { saveGraph } from "../graph/model_io.ts";
import { identity } from "../ops/elementwise.ts";
import { updatedName } from "../graph/updated_name.ts";
import { type Feed, isOnDevice, Session, type SessionOptions } from "./session.ts";

function free(t: Feed | undefined): void {
  if (t && isOnDevice(t)) t.onDevice.dispose();
}

/** Named feeds, on the host or on the device. */
export class FeedSlots {
  #slots: Record<string, Feed>;

  /**
   * Slots holding `initial`.
   *
   * @param initial Feeds by name.
   */
  constructor(initial: Record<string, Feed> = {}) {
    this.#slots = { ...initial };
  }

  /** The feeds by name (a copy: spread it into a run's feeds). */
  get feeds(): Record<string, Feed> {
    return { ...this.#slots };
  }

  /**
   * One slot's feed.
   *
   * @param name The slot.
   * @returns Its feed, or undefined.
   */
  get(name: string): Feed | undefined {
    return this.#slots[name];
  }

  /**
   * Puts a feed in a slot, freeing the device memory of the one it replaces.
   *
   * @param name The slot.
   * @param value The new feed.
   */
  set(name: string, value: Feed): void {
    const old = this.#slots[name];
    this.#slots[name] = value;
    if (old !== value) free(old);
  }

  /**
   * Takes each slot's next value from a run's outputs (`X` from `X_out`).
   *
   * @param out The run's outputs.
   */
  advance(out: Readonly<Record<string, Feed>>): void {
    for (const name of Object.keys(this.#slots)) this.set(name, out[updatedName(name)]);
  }

  /** Whether every slot is on the device (false when there are none). */
  get allOnDevice(): boolean {
    const all = Object.values(this.#slots);
    return all.length > 0 && all.every(isOnDevice);
  }

  /** Whether any slot is on the device. */
  get anyOnDevice(): boolean {
    return Object.values(this.#slots).some(isOnDevice);
  }

  /**
   * Brings the slots on the device to the host through `copier`, a session from
   * `hostCopySession` over these slots (onnxruntime-node 1.30 aborts the process on `getData()`
   * of a GPU buffer, so a graph of Identity nodes with host outputs copies them instead).
   *
   * @param copier The copy session.
   */
  async toHost(copier: Session): Promise<void> {
    if (!this.anyOnDevice) return;
    const host = await copier.run(this.#slots);
    for (const [name, t] of Object.entries(this.#slots)) {
      if (isOnDevice(t)) this.set(name, host[`${name}_host`]);
    }
  }

  /** Empties every slot, freeing device memory. */
  clear(): void {
    for (const t of Object.values(this.#slots)) free(t);
    this.#slots = {};
  }
}

/**
 * A session that copies feeds to the host: one Identity per feed, output `<name>_host`.
 *
 * @param feeds The feeds' names and shapes.
 * @param dtype Their element type.
 * @param options Where it runs (the device the feeds are on).
 * @returns The session.
 */
export async function hostCopySession(
  feeds: readonly { readonly name: string; readonly shape: readonly number[] }[],
  dtype: "float32" | "float64",
  options: SessionOptions,
): Promise<Session> {
  const g = new Graph("download");
  for (const f of feeds) g.output(identity(g.input(f.name, dtype, f.shape)), `${f.name}_host`);
  return await Session.create(saveGraph(g), { ...options, source: "download.onnx" });
}
