import * as pulumi from "@pulumi/pulumi";
import { packageNamespace, resolveOrgUrl, type ConfigSource } from "../dynamic/oktaSettings";

/** The namespace of the stack config this package reads itself, in any program: `okta-credential-rotation`. */
export const PACKAGE_CONFIG_NAMESPACE = packageNamespace();

/** The stack's config, read as the package's providers read it: keys are `<namespace>:<name>`. */
export function stackConfigSource(): ConfigSource {
  return {
    get(key: string): string | undefined {
      const at = key.indexOf(":");
      return at < 0
        ? new pulumi.Config().get(key)
        : new pulumi.Config(key.slice(0, at)).get(key.slice(at + 1));
    },
  };
}

/**
 * The stack's Okta org URL, as the package's providers find it: `okta-credential-rotation:oktaOrgUrl` / OKTA_ORG_URL,
 * else `okta:orgName` + `okta:baseUrl` / OKTA_ORG_NAME + OKTA_BASE_URL. Undefined when none is set.
 */
export function stackOrgUrl(
  env: Readonly<Record<string, string | undefined>> = process.env,
  config: ConfigSource = stackConfigSource(),
): string | undefined {
  return resolveOrgUrl(config, env);
}
