export * from "./audit";
export * from "./config";
export * from "./plan";
export * from "./secretRotation";
export * from "./oktaApp";
export * from "./keyRotation";
export * from "./errors";
export * from "./settings";
export { claimVaultPath, resetVaultPathClaims, vaultEntryKey } from "./vaultPaths";
