export * from "./audit";
export * from "./config";
export * from "./plan";
export * from "./secretRotation";
export * from "./oktaApp";
export * from "./keyRotation";
export * from "./errors";
export * from "./settings";
export { claimVaultPath, resetVaultPathClaims, vaultEntryKey } from "./vaultPaths";
export {
  GENERATIONS_KEY,
  KEY_GENERATIONS_KEY,
  resolveGeneration,
  type GenerationProblem,
  type GenerationSource,
  type GenerationsKey,
  type ResolvedGeneration,
} from "./generations";
export * from "./promiseStacks";
