/**
 * The error every graph builder throws for inputs or attributes that do not fit an operator.
 *
 * @module
 */

/** Raised when a node's inputs or attributes do not fit its operator. */
export class GraphBuildError extends Error {
  /** The error name. */
  override name = "GraphBuildError";
}
