// @pulumi/vault and @pulumi/kubernetes are optional peer dependencies: a program that delivers the credential its
// own way installs neither. They are loaded only by a rotation that writes to Vault or rolls Deployments, and a
// missing one is an argument error that says what to install.
import type * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import type * as k8s from "@pulumi/kubernetes";
import { argumentError } from "./errors";

/** The peer versions this package is tested with (package.json peerDependencies). */
export const PEER_RANGES = { "@pulumi/vault": "^7.8.0", "@pulumi/kubernetes": "^4.25.0" } as const;

type Peer = keyof typeof PEER_RANGES;

function load<T>(
  peer: Peer,
  required: () => unknown,
  resource: pulumi.Resource,
  component: string,
  name: string,
  argument: string,
  instead: string,
): T {
  try {
    return required() as T;
  } catch (err) {
    if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
    throw argumentError(
      resource,
      component,
      name,
      argument,
      `needs the ${peer} package, which this program has not installed`,
      `run npm install ${peer}@'${PEER_RANGES[peer]}' in the program, or ${instead}`,
    );
  }
}

/** @pulumi/vault, for a rotation that writes to Vault. */
export function vaultPackage(resource: pulumi.Resource, component: string, name: string): typeof vault {
  return load(
    "@pulumi/vault",
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require("@pulumi/vault"),
    resource,
    component,
    name,
    "vault",
    "leave vault out and deliver the credential from the rotation's outputs",
  );
}

/** @pulumi/kubernetes, for a rotation that rolls Deployments. */
export function kubernetesPackage(resource: pulumi.Resource, component: string, name: string): typeof k8s {
  return load(
    "@pulumi/kubernetes",
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require("@pulumi/kubernetes"),
    resource,
    component,
    name,
    "deployments",
    "leave deployments out and restart the consumers yourself",
  );
}
