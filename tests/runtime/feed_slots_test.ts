import assert from "node:assert/strict";
import { tensor } from "../../src/onnx/tensor.ts";
import { FeedSlots } from "../../src/runtime/feed_slots.ts";
import type { DeviceTensor, Feed, OrtTensor, Session } from "../../src/runtime/session.ts";

/** A stand-in for a GPU buffer that counts its disposals. */
function onDevice(freed: string[], name: string): DeviceTensor {
  const fake = { dispose: () => freed.push(name) } as unknown as OrtTensor;
  return { dtype: "float32", dims: [2], onDevice: fake };
}
const host = (v: number) => tensor("float32", [2], new Float32Array([v, v]));

Deno.test("FeedSlots frees the device memory of what it replaces, advances and clears", () => {
  const freed: string[] = [];
  const slots = new FeedSlots({ w: onDevice(freed, "w0"), h: host(0) });
  assert.equal(slots.anyOnDevice, true);
  assert.equal(slots.allOnDevice, false);
  const copy = slots.feeds;
  copy.w = host(9); // a copy: the slots are untouched
  assert.notEqual(slots.get("w"), copy.w);

  slots.advance({ w_out: onDevice(freed, "w1"), h_out: host(1), loss: host(5) });
  assert.deepEqual(freed, ["w0"]); // the superseded device buffer, once
  assert.equal((slots.get("h") as { data: Float32Array }).data[0], 1);
  assert.equal(slots.get("loss"), undefined); // only the slots' own X_out are taken

  const same = slots.get("w")!;
  slots.set("w", same); // setting a slot to what it holds frees nothing
  assert.deepEqual(freed, ["w0"]);

  slots.clear();
  assert.deepEqual(freed, ["w0", "w1"]);
  assert.deepEqual(slots.feeds, {});
  assert.equal(new FeedSlots().allOnDevice, false);
});

Deno.test("FeedSlots.toHost replaces only the device slots with the copier's <name>_host", async () => {
  const freed: string[] = [];
  const h = host(3);
  const slots = new FeedSlots({ a: onDevice(freed, "a"), h });
  let fed: Record<string, Feed> | undefined;
  const copier = {
    run: (feeds: Record<string, Feed>) => {
      fed = feeds;
      return Promise.resolve({ a_host: host(7), h_host: host(8) });
    },
  } as unknown as Session;
  await slots.toHost(copier);
  assert.deepEqual(Object.keys(fed!).sort(), ["a", "h"]);
  assert.equal((slots.get("a") as { data: Float32Array }).data[0], 7);
  assert.equal(slots.get("h"), h); // a host slot stays as it was
  assert.deepEqual(freed, ["a"]);
  assert.equal(slots.anyOnDevice, false);
  let ran = false;
  await slots.toHost({ run: () => (ran = true, Promise.resolve({})) } as unknown as Session);
  assert.equal(ran, false); // nothing on the device: no run
});
