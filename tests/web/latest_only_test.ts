import assert from "node:assert/strict";
import { LatestOnly } from "../../src/web/latest_only.ts";

/**
 * A job like the page's `predict`: it reads the current prompt when it starts, and each run
 * ends only when the test says so (`finish`), so requests can arrive while it is in flight.
 */
function promptQueue() {
  const state = {
    prompt: "",
    /** The prompt each run started with, in order. */
    started: [] as string[],
    /** Runs in flight now, and the most ever at once. */
    active: 0,
    maxActive: 0,
    errors: [] as unknown[],
    /** Set to make the next run to start throw this. */
    failNext: undefined as Error | undefined,
  };
  const ends: PromiseWithResolvers<void>[] = [];
  const queue = new LatestOnly(async () => {
    state.started.push(state.prompt);
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    const failure = state.failNext;
    state.failNext = undefined;
    const end = Promise.withResolvers<void>();
    ends.push(end);
    try {
      await end.promise;
      if (failure) throw failure;
    } finally {
      state.active--;
    }
  }, (error) => state.errors.push(error));
  /** Ends the oldest unfinished run and lets the queue react. */
  const finish = async () => {
    const end = ends.shift();
    assert.ok(end, "no run is in flight");
    end.resolve();
    await flush();
  };
  const type = (text: string) => {
    state.prompt = text;
    queue.request();
  };
  return { state, queue, finish, type, inFlight: () => ends.length };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("LatestOnly runs a request at once and idle() settles when it ends", async () => {
  const { state, queue, finish, type } = promptQueue();
  await queue.idle(); // nothing ran yet: settled already
  type("one");
  assert.deepEqual(state.started, ["one"], "started synchronously, as the page expects");
  let idle = false;
  void queue.idle().then(() => idle = true);
  await flush();
  assert.equal(idle, false, "idle() waits for the run in flight");
  await finish();
  assert.equal(idle, true);
});

Deno.test("LatestOnly: a burst of prompts during a run gives one rerun, with the latest", async () => {
  const { state, queue, finish, type, inFlight } = promptQueue();
  type("o");
  for (const text of ["on", "one", "one ", "one t", "one tw"]) type(text);
  assert.deepEqual(state.started, ["o"], "nothing else starts while a run is in flight");
  type("one two");
  await finish();
  assert.deepEqual(state.started, ["o", "one two"], "the older waiting prompts were dropped");
  await finish();
  assert.equal(inFlight(), 0, "no third run: nothing was asked after the rerun began");
  await queue.idle();
  assert.deepEqual(state.started, ["o", "one two"]);
  assert.equal(state.maxActive, 1, "never two runs at once");
});

Deno.test("LatestOnly: a prompt during the rerun waits for it, in order", async () => {
  const { state, finish, type } = promptQueue();
  type("a");
  type("b");
  await finish(); // "a" ends, "b" starts
  type("c");
  type("d");
  assert.deepEqual(state.started, ["a", "b"]);
  await finish(); // "b" ends, "d" starts
  await finish();
  assert.deepEqual(state.started, ["a", "b", "d"]);
  assert.equal(state.maxActive, 1);
});

Deno.test("LatestOnly: after the queue drains, the next request starts a fresh run", async () => {
  const { state, queue, finish, type } = promptQueue();
  type("a");
  await finish();
  await queue.idle();
  type("b");
  assert.deepEqual(state.started, ["a", "b"], "runs at once, not left waiting");
  await finish();
});

Deno.test("LatestOnly.dropPending() forgets the waiting rerun, not the run in flight", async () => {
  const { state, queue, finish, type, inFlight } = promptQueue();
  type("a");
  type("b");
  queue.dropPending(); // as a model switch does before it waits
  let idle = false;
  void queue.idle().then(() => idle = true);
  await flush();
  assert.equal(idle, false, "the run in flight still counts");
  await finish();
  assert.equal(idle, true);
  assert.equal(inFlight(), 0);
  assert.deepEqual(state.started, ["a"]);
  // A request after the drop is honoured again.
  type("c");
  type("d");
  queue.dropPending();
  type("e");
  await finish();
  await finish();
  assert.deepEqual(state.started, ["a", "c", "e"]);
});

Deno.test("LatestOnly reports a failed run, runs the waiting prompt, and idle() resolves", async () => {
  const { state, queue, finish, type } = promptQueue();
  const boom = new Error("session failed");
  state.failNext = boom;
  type("a");
  type("b");
  await finish(); // "a" throws
  assert.deepEqual(state.errors, [boom]);
  assert.deepEqual(state.started, ["a", "b"], "the latest prompt still gets its run");
  await finish();
  await queue.idle(); // resolves: a generation or model switch waiting on it goes on
  // A failure with nothing waiting ends the queue; the next request starts afresh.
  state.failNext = new Error("again");
  type("c");
  await finish();
  await queue.idle();
  assert.equal(state.errors.length, 2);
  type("d");
  assert.deepEqual(state.started, ["a", "b", "c", "d"]);
  await finish();
  assert.equal(state.maxActive, 1);
});

Deno.test("LatestOnly reports a job that throws before its first await", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const queue = new LatestOnly(() => {
    calls++;
    throw new RangeError("sync");
  }, (error) => errors.push(error));
  queue.request();
  await queue.idle();
  queue.request();
  await queue.idle();
  assert.equal(calls, 2);
  assert.deepEqual(errors.map((e) => (e as Error).message), ["sync", "sync"]);
});
