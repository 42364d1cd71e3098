// Entry point of `pulumi-resource-okta` (bin/): the Node SDK's provider server with OktaPluginProvider, its
// Configure requests handed to OktaPluginProvider.configure (interceptConfigure, ../plugin-host.ts).

import * as provider from "@pulumi/pulumi/provider";
import { interceptConfigure } from "../plugin-host";
import { OktaPluginProvider } from "./provider";

async function run(): Promise<void> {
  const impl = new OktaPluginProvider();
  interceptConfigure(impl);
  await provider.main(impl, process.argv.slice(2));
}

void run();
