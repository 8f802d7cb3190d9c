/**
 * One job at a time, and only the latest request waits: the page's prediction queue. A
 * session runs one call at a time, and a person types faster than a model predicts, so while
 * a run is in flight every new request folds into one waiting rerun (the job reads the
 * current prompt when it starts, so that rerun sees the newest text and the older prompts
 * are never run). No DOM here, so the tests can drive it; the page uses it through the bundle.
 *
 * @example
 * ```ts
 * import { LatestOnly } from "./latest_only.ts";
 * let prompt = "o";
 * const seen: string[] = [];
 * const queue = new LatestOnly(async () => void seen.push(prompt), console.error);
 * queue.request(); // runs at once with "o"
 * prompt = "on";
 * queue.request(); // waits
 * prompt = "one";
 * queue.request(); // replaces the waiting "on"
 * await queue.idle();
 * seen; // ["o", "one"]: "on" was never run
 * ```
 * @module
 */

/** Runs a job one call at a time; requests made while it runs fold into one rerun. */
export class LatestOnly {
  #job: () => Promise<void>;
  #onError: (error: unknown) => void;
  #running = false;
  #pending = false;
  #loop: Promise<void> = Promise.resolve();

  /**
   * A queue with nothing in flight.
   *
   * @param job What one request runs; it reads its inputs when called.
   * @param onError Told of a run that threw; the queue goes on.
   */
  constructor(job: () => Promise<void>, onError: (error: unknown) => void) {
    this.#job = job;
    this.#onError = onError;
  }

  /**
   * Asks for a run: at once when none is in flight, else once more after it (however many
   * requests arrive meanwhile).
   */
  request(): void {
    if (this.#running) {
      this.#pending = true;
      return;
    }
    this.#running = true;
    this.#loop = this.#drain();
  }

  /** Forgets the waiting rerun, if any; the run in flight goes on. */
  dropPending(): void {
    this.#pending = false;
  }

  /**
   * Waits for the queue to empty.
   *
   * @returns Settles once the runs in flight and waiting have ended; never rejects (a failed
   *   run went to `onError`).
   */
  idle(): Promise<void> {
    return this.#loop;
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#pending = false;
        try {
          await this.#job();
        } catch (error) {
          // Reported, not thrown: waiters of idle() (a generation, a model switch) go on.
          this.#onError(error);
        }
      } while (this.#pending);
    } finally {
      this.#running = false;
    }
  }
}
