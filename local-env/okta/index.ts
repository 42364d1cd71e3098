export { startOktaLocal, bucketOf, SERVICE_APP_SCOPES } from "./server";
export type {
  AppSummary,
  Bucket,
  FaultRule,
  KeyView,
  OktaLocal,
  OktaLocalOptions,
  RateLimits,
  RequestLogEntry,
  SecretView,
  SeedApp,
  TokenEndpointAuthMethod,
} from "./types";
export { DEFAULT_RATE_LIMITS } from "./limits";
export { MESSAGES, secretHash } from "./store";
export { ASSERTION_TYPE, DESCRIPTIONS, OIDC_SCOPES } from "./tokens";
export { DPOP_DESCRIPTIONS } from "./dpop";
export { DEFAULT_AUTH_SERVER_ID, ROTATION_POLICY, ROTATION_SCOPE } from "./authServers";
