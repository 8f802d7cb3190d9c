/**
 * Whether a graph is built for training (dropout active) or for evaluation/inference.
 *
 * @module
 */

import type { Graph } from "../graph/graph.ts";

const training = new WeakSet<Graph>();

/**
 * Marks a graph as a training graph (or not).
 *
 * @param g The graph.
 * @param on True for training.
 */
export function setTraining(g: Graph, on: boolean): void {
  if (on) training.add(g);
  else training.delete(g);
}

/**
 * Whether `g` is a training graph.
 *
 * @param g The graph.
 * @returns True when marked by `setTraining`.
 */
export function isTraining(g: Graph): boolean {
  return training.has(g);
}
