export {
  EXIT,
  ageInDays,
  appsToBump,
  credentialKind,
  currentCredential,
  dueRow,
  exitCodeOf,
  formatTable,
  unfinishedState,
  type CredentialKind,
  type DueRow,
  type ListedCredential,
  type Listing,
} from "./due";
export {
  DEFAULT_PROJECT,
  StackConfigFileError,
  applyBumps,
  configSource,
  readStackConfig,
  sharedBumps,
  type Bump,
  type StackConfigFile,
} from "./configFile";
export { listCredentials, oktaReader, type CredentialReader } from "./okta";
export { USAGE, parseArgs, runDue, type DueIo, type DueOptions } from "./cli";
