// Pulumi dynamic resources that manage Okta app credentials, and the connection they share.

export {
  ClientSecret,
  ClientSecretProvider,
  CLIENT_SECRET_REPLACE_KEYS,
  CLIENT_SECRET_UPDATE_KEYS,
  clientSecretInputsSchema,
  describeClientSecret,
  diffClientSecret,
  secretSummary,
  unsafeReplacement,
  type ClientSecretArgs,
  type ClientSecretInputs,
  type ClientSecretOutputs,
} from "./clientSecret";
export {
  JsonWebKey,
  JsonWebKeyProvider,
  JSON_WEB_KEY_REPLACE_KEYS,
  MIN_RSA_BITS,
  PRIVATE_JWK_MEMBERS,
  PUBLIC_JWK_MEMBERS,
  describeJsonWebKey,
  diffJsonWebKey,
  jsonWebKeyInputsSchema,
  privateJwkMembers,
  publicJwk,
  rsaModulusBits,
  type JsonWebKeyArgs,
  type JsonWebKeyInputs,
  type JsonWebKeyOutputs,
  type PublicJwk,
} from "./jsonWebKey";
export {
  AppAuthMethod,
  AppAuthMethodProvider,
  TOKEN_ENDPOINT_AUTH_METHODS,
  appAuthMethodInputsSchema,
  diffAppAuthMethod,
  readAuthSettings,
  withAuthSettings,
  type AppAuthMethodArgs,
  type AppAuthMethodInputs,
  type AppAuthMethodOutputs,
  type TokenEndpointAuthMethod,
} from "./appAuthMethod";
export {
  configureConnection,
  exclusive,
  getOktaApi,
  onRetry,
  onWarning,
  resetConnection,
} from "./connection";
export { createOnce } from "./createOnce";
export { OktaApi } from "./oktaApi";
export {
  OktaApiError,
  OktaTransportError,
  describeFailure,
  formatOktaErrorMessage,
  isNotFound,
  type OktaFailure,
} from "./oktaErrors";
export { parseJwkList, secretHash } from "./oktaObjects";
export {
  backoffDelayMs,
  isIdempotentRequest,
  rateLimitDelayMs,
  retryPolicyFromEnv,
  type RetryEvent,
  type RetryPolicy,
} from "./oktaRetry";
export {
  CONNECTION_KEYS,
  DEFAULT_SCOPES,
  OktaConfigError,
  isLoopbackHost,
  packageNamespace,
  resolveConnectionSettings,
  resolveOrgUrl,
  type ConfigSource,
  type OktaConnectionSettings,
  type OktaCredentials,
} from "./oktaSettings";
export {
  checkInputs,
  sameValue,
  schemaOf,
  validateInputs,
  type CheckFailure,
  type SchemaSource,
} from "./validation";
export {
  SecretValue,
  SecretValueProvider,
  newSecretValue,
  type SecretValueArgs,
  type SecretValueInputs,
  type SecretValueOutputs,
} from "./secretValue";
export {
  KeyRotationStart,
  KeyRotationStartProvider,
  appKeyStartProblem,
  keyRotationStartInputsSchema,
  keyStartProblem,
  type KeyRotationStartArgs,
  type KeyRotationStartInputs,
  type KeyRotationStartOutputs,
} from "./keyRotationStart";
export {
  appOnboardingProblem,
  missingDeploymentsProblem,
  onboardingProblem,
  type Adoption,
  type DeploymentLookup,
} from "./preflight";
export { UNKNOWN, isUnknown } from "./providerValues";
export {
  GeneratedSecret,
  GeneratedSecretProvider,
  generatedSecretInputsSchema,
  generatedSecretOf,
  type GeneratedSecretArgs,
  type GeneratedSecretInputs,
  type GeneratedSecretOutputs,
} from "./generatedSecret";
export {
  KEY_SLOTS,
  SECRET_SLOTS,
  activeReplacementProblem,
  slotTransitionProblem,
  type ActiveReplacementWords,
  type SlotContext,
  type SlotVocabulary,
} from "./slotTransition";
export { RotationGuard, type RotationGuardArgs, type RotationGuardInputs } from "./rotationGuard";
export {
  RotationRecord,
  guardTransition,
  type RotationRecordArgs,
  type GuardFailure,
} from "./rotationRecord";
export {
  TokenExchangeGate,
  basicExchangeRequest,
  exchangeTargetFailures,
  overlapRemainingMs,
  type TokenExchangeGateArgs,
} from "./tokenExchangeGate";
export {
  OIDC_SCOPES,
  assertionExchangeRefusal,
  defaultTokenUrl,
  isOrgTokenUrl,
  oidcScopesIn,
  secretExchangeRefusal,
} from "./tokenEndpoint";
