// The provider the plugin serves: the Node SDK's `Provider` interface, for `vault:kv/secretV2:SecretV2` only.

import type * as provider from "@pulumi/pulumi/provider";
import { VaultClient } from "./client";
import { CONFIG_UNKNOWN, resolveConnection, type VaultConnection } from "./config";
import { SECRET_V2_TYPE, SecretV2Resource, checkSecretV2, diffSecretV2, type WriteRetry } from "./secretV2";
import { pulumiSdkVersion, urnType, type PropertyBag } from "../plugin-host";

/** The version of the `@pulumi/vault` package installed, which the engine asks the plugin for. */
export function vaultSdkVersion(): string {
  return pulumiSdkVersion("vault");
}

export interface VaultPluginOptions {
  readonly version?: string;
  /** Where VAULT_ADDR / VAULT_TOKEN are read when the provider's inputs do not set them. */
  readonly env?: NodeJS.ProcessEnv;
  readonly writeRetry?: WriteRetry;
}

export class VaultPluginProvider implements provider.Provider {
  readonly version: string;
  private readonly env: NodeJS.ProcessEnv;
  private connection: VaultConnection | typeof CONFIG_UNKNOWN | undefined;
  private readonly secretV2: SecretV2Resource;

  constructor(opts: VaultPluginOptions = {}) {
    this.version = opts.version ?? vaultSdkVersion();
    this.env = opts.env ?? process.env;
    this.secretV2 = new SecretV2Resource(() => this.client(), opts.writeRetry);
  }

  /**
   * Takes the provider configuration of the engine's Configure request: the provider's inputs (`args`) and the
   * `vault:config:<key>` variables. Throws, naming the key and the environment variable, when one is missing.
   */
  configure(args: PropertyBag | undefined, variables: Record<string, string>): void {
    this.connection = resolveConnection(args, variables, this.env);
  }

  private client(): VaultClient {
    // Without a Configure (a provider used directly), the environment decides.
    const connection = this.connection ?? resolveConnection(undefined, {}, this.env);
    if (connection === CONFIG_UNKNOWN) {
      throw new Error(
        "vault: the provider's address or token is not known yet (it comes from a resource not created)",
      );
    }
    return new VaultClient(connection);
  }

  private served(urn: string): void {
    const type = urnType(urn);
    if (type !== SECRET_V2_TYPE) {
      throw new Error(
        `${type}: the local environment's vault plugin serves only ${SECRET_V2_TYPE}; ` +
          "install the official pulumi-vault plugin (pulumi plugin install resource vault) for other Vault resources",
      );
    }
  }

  async invoke(token: string): Promise<provider.InvokeResult> {
    throw new Error(
      `${token}: the local environment's vault plugin serves no functions, only the resource ${SECRET_V2_TYPE}; ` +
        "install the official pulumi-vault plugin (pulumi plugin install resource vault) for Vault functions",
    );
  }

  async check(urn: string, olds: PropertyBag, news: PropertyBag): Promise<provider.CheckResult> {
    this.served(urn);
    return checkSecretV2(urn, olds ?? {}, news ?? {});
  }

  async diff(_id: string, urn: string, olds: PropertyBag, news: PropertyBag): Promise<provider.DiffResult> {
    this.served(urn);
    const d = diffSecretV2(olds ?? {}, news ?? {});
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  }

  async create(urn: string, inputs: PropertyBag): Promise<provider.CreateResult> {
    this.served(urn);
    const { id, outputs } = await this.secretV2.create(urn, inputs);
    return { id, outs: outputs };
  }

  async read(id: string, urn: string, props?: PropertyBag): Promise<provider.ReadResult> {
    this.served(urn);
    const found = await this.secretV2.read(urn, id, props ?? {});
    if (!found) return { id: "", props: {} };
    return { id, props: found.outputs, ...(found.inputs ? { inputs: found.inputs } : {}) };
  }

  async update(
    id: string,
    urn: string,
    _olds: PropertyBag,
    news: PropertyBag,
  ): Promise<provider.UpdateResult> {
    this.served(urn);
    return { outs: await this.secretV2.update(urn, id, news) };
  }

  async delete(id: string, urn: string, props: PropertyBag): Promise<void> {
    this.served(urn);
    await this.secretV2.delete(urn, id, props ?? {});
  }
}
