export {
  EXIT,
  ageInDays,
  appsToBump,
  credentialKind,
  currentCredential,
  dueRow,
  exitCodeOf,
  formatTable,
  targetOfApp,
  unfinishedState,
  type CredentialKind,
  type DueTarget,
  type DueRow,
  type ListedCredential,
  type Listing,
} from "./due";
export {
  DEFAULT_PROJECT,
  StackConfigFileError,
  applyBumps,
  applyGenerationBumps,
  configSource,
  hasAppsKey,
  readComponentStackConfig,
  readStackConfig,
  sharedBumps,
  sharedGenerationBumps,
  type Bump,
  type GenerationBump,
  type StackConfigFile,
} from "./configFile";
export {
  componentTargets,
  rotationsOfState,
  type GenerationMaps,
  type StateRotation,
  type TargetOrError,
} from "./stackState";
export { listCredentials, oktaReader, type CredentialReader } from "./okta";
export { USAGE, parseArgs, runDue, type DueIo, type DueOptions } from "./cli";
