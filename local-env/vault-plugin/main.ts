// Entry point of `pulumi-resource-vault` (bin/): the Node SDK's provider server with VaultPluginProvider.
//
// The SDK's server answers the engine's Configure call itself and drops the request (server.js `configure`): the
// provider never sees its configuration. The plugin therefore wraps that one handler, before the server is
// registered, to hand the request's `args` and `variables` to VaultPluginProvider.configure — and to answer with
// its error when the address or token is missing — then lets the SDK answer as usual.

import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { VaultPluginProvider } from "./provider";
import type { PropertyBag } from "./secrets";

interface ConfigureRequest {
  getArgs(): { toJavaScript(): PropertyBag } | undefined;
  getVariablesMap(): { forEach(fn: (value: string, key: string) => void): void };
}
type UnaryHandler = (
  call: { request: ConfigureRequest },
  callback: (err: unknown, value?: unknown) => void,
) => void;
interface GrpcServerPrototype {
  addService(service: unknown, implementation: Record<string, unknown>): void;
}

/** The @grpc/grpc-js the SDK's provider server uses (resolved from @pulumi/pulumi, so the same module instance). */
function sdkGrpcServer(): GrpcServerPrototype {
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] })) as {
    Server: { prototype: GrpcServerPrototype };
  };
  return grpc.Server.prototype;
}

/** Makes the provider server pass Configure requests to `impl.configure` first. */
export function interceptConfigure(impl: VaultPluginProvider): void {
  const proto = sdkGrpcServer();
  const addService = proto.addService;
  proto.addService = function (this: unknown, service: unknown, implementation: Record<string, unknown>) {
    const original = implementation.configure as UnaryHandler | undefined;
    if (typeof original === "function") {
      implementation.configure = ((call, callback) => {
        try {
          const variables: Record<string, string> = {};
          call.request.getVariablesMap().forEach((value, key) => (variables[key] = value));
          impl.configure(call.request.getArgs()?.toJavaScript(), variables);
        } catch (e) {
          callback(e);
          return;
        }
        original.call(implementation, call, callback);
      }) satisfies UnaryHandler;
    }
    addService.call(this, service, implementation);
  };
}

async function run(): Promise<void> {
  const impl = new VaultPluginProvider();
  interceptConfigure(impl);
  await provider.main(impl, process.argv.slice(2));
}

void run();
