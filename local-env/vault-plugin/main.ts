// Entry point of `pulumi-resource-vault` (bin/): the Node SDK's provider server with VaultPluginProvider, its
// Configure requests handed to VaultPluginProvider.configure (interceptConfigure, ../plugin-host.ts).

import * as provider from "@pulumi/pulumi/provider";
import { interceptConfigure } from "../plugin-host";
import { VaultPluginProvider } from "./provider";

async function run(): Promise<void> {
  const impl = new VaultPluginProvider();
  interceptConfigure(impl);
  await provider.main(impl, process.argv.slice(2));
}

void run();
