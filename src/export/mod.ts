/**
 * Export for deployment: trained weights baked into inference graphs with a JSON sidecar.
 *
 * @module
 */

export { buildDeployGraph, type DeployGraphOptions } from "./deploy_graph.ts";
export { type ExportFiles, type ExportInfo, exportModel } from "./export_model.ts";
export {
  type ExportMetrics,
  metadataProps,
  parseSidecar,
  readSidecarText,
  type Sidecar,
} from "./sidecar.ts";
export {
  float16Bits,
  fromFloat16,
  quantizeRows,
  storeWeight,
  toFloat16,
  WEIGHT_STORAGES,
  type WeightStorage,
} from "./weight_storage.ts";
export { initialState, kvCacheState, PAST_DIM } from "./kv_cache_state.ts";
export { compareExports, type CompareOptions, type ExportAgreement } from "./compare_exports.ts";
