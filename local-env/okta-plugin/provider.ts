// The provider the plugin serves: the Node SDK's `Provider` interface, for `okta:app/oAuth:OAuth` only, against
// the Okta org its configuration names (config.ts), through the project's own Okta connection (dynamic/oktaApi.ts:
// SSWS or an OAuth service app with private_key_jwt and DPoP, 429 and 5xx retries).

import type * as provider from "@pulumi/pulumi/provider";
import { OktaApi } from "../../dynamic/oktaApi";
import type { RetryEvent } from "../../dynamic/oktaRetry";
import type { OktaConnectionSettings } from "../../dynamic/oktaSettings";
import { pulumiSdkVersion, urnType, withIgnoredChanges, type PropertyBag } from "../plugin-host";
import { CONFIG_UNKNOWN, resolveOktaConnection } from "./config";
import {
  OAUTH_APP_TYPE,
  OAuthAppResource,
  checkOAuthApp,
  diffOAuthApp,
  installOfficial,
  type OktaAppApi,
} from "./oauthApp";

/** The version of the `@pulumi/okta` package installed, which the engine asks the plugin for. */
export function oktaSdkVersion(): string {
  return pulumiSdkVersion("okta");
}

export interface OktaPluginOptions {
  readonly version?: string;
  /** Where the OKTA_* variables are read when the provider's inputs do not set them. */
  readonly env?: NodeJS.ProcessEnv;
  /** The Okta calls for a connection (default: dynamic/oktaApi.ts `OktaApi`). */
  readonly api?: (settings: OktaConnectionSettings) => OktaAppApi;
  /** Where retries are told (default: the plugin's stderr, which the engine logs). Never carries a secret. */
  readonly onRetry?: (e: RetryEvent) => void;
}

export class OktaPluginProvider implements provider.Provider {
  readonly version: string;
  private readonly env: NodeJS.ProcessEnv;
  private connection: OktaConnectionSettings | typeof CONFIG_UNKNOWN | undefined;
  private client: OktaAppApi | undefined;
  private readonly makeApi: (settings: OktaConnectionSettings) => OktaAppApi;
  private readonly app: OAuthAppResource;
  private ignored: readonly string[] = [];

  constructor(opts: OktaPluginOptions = {}) {
    this.version = opts.version ?? oktaSdkVersion();
    this.env = opts.env ?? process.env;
    const onRetry = opts.onRetry ?? ((e: RetryEvent) => process.stderr.write(`okta: ${e.message}\n`));
    this.makeApi = opts.api ?? ((settings) => new OktaApi(settings, onRetry));
    this.app = new OAuthAppResource(() => this.api());
  }

  /**
   * Takes the provider configuration of the engine's Configure request: the provider's inputs (`args`) and the
   * `okta:config:<key>` variables. Throws, naming the keys and environment variables, when it cannot be used.
   */
  configure(args: PropertyBag | undefined, variables: Record<string, string>): void {
    this.connection = resolveOktaConnection(args, variables, this.env);
    this.client = undefined;
  }

  /**
   * The resource options' `ignoreChanges` of the Diff or Update request that comes next (../plugin-host.ts). As the
   * bridged provider does with Terraform's `ignore_changes`, an ignored property keeps its last output: it neither
   * shows as a change nor is it written back by an update's PUT.
   */
  ignoreChangesOfNextCall(paths: readonly string[]): void {
    this.ignored = paths;
  }

  private takeIgnored(): readonly string[] {
    const paths = this.ignored;
    this.ignored = [];
    return paths;
  }

  private api(): OktaAppApi {
    // Without a Configure (a provider used directly), the environment decides.
    const connection = this.connection ?? resolveOktaConnection(undefined, {}, this.env);
    if (connection === CONFIG_UNKNOWN) {
      throw new Error(
        "okta: the provider's org or credentials are not known yet (they come from a resource not created)",
      );
    }
    this.client ??= this.makeApi(connection);
    return this.client;
  }

  private served(urn: string): void {
    const type = urnType(urn);
    if (type !== OAUTH_APP_TYPE) {
      throw new Error(
        `${type}: the local environment's okta plugin serves only ${OAUTH_APP_TYPE}; ${installOfficial(this.version)} ` +
          "for other Okta resources",
      );
    }
  }

  async invoke(token: string): Promise<provider.InvokeResult> {
    throw new Error(
      `${token}: the local environment's okta plugin serves no functions, only the resource ${OAUTH_APP_TYPE}; ` +
        `${installOfficial(this.version)} for Okta functions`,
    );
  }

  async check(urn: string, olds: PropertyBag, news: PropertyBag): Promise<provider.CheckResult> {
    this.served(urn);
    return checkOAuthApp(olds ?? {}, news ?? {}, this.version);
  }

  async diff(_id: string, urn: string, olds: PropertyBag, news: PropertyBag): Promise<provider.DiffResult> {
    const ignored = this.takeIgnored();
    this.served(urn);
    const d = diffOAuthApp(olds ?? {}, withIgnoredChanges(olds ?? {}, news ?? {}, ignored));
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  }

  async create(urn: string, inputs: PropertyBag): Promise<provider.CreateResult> {
    this.served(urn);
    const { id, outputs } = await this.app.create(urn, inputs);
    return { id, outs: outputs };
  }

  async read(id: string, urn: string, props?: PropertyBag): Promise<provider.ReadResult> {
    this.served(urn);
    const found = await this.app.read(urn, id, props ?? {});
    if (!found) return { id: "", props: {} };
    return { id, props: found.outputs, ...(found.inputs ? { inputs: found.inputs } : {}) };
  }

  async update(
    id: string,
    urn: string,
    olds: PropertyBag,
    news: PropertyBag,
  ): Promise<provider.UpdateResult> {
    const ignored = this.takeIgnored();
    this.served(urn);
    const planned = withIgnoredChanges(olds ?? {}, news ?? {}, ignored);
    return { outs: await this.app.update(urn, id, olds ?? {}, planned) };
  }

  async delete(id: string, urn: string, props: PropertyBag): Promise<void> {
    this.served(urn);
    await this.app.delete(urn, id, props ?? {});
  }
}
