import * as pulumi from "@pulumi/pulumi";

/**
 * A wrong argument of a component: one message naming the component, the argument and the fix, printed by the
 * Node language host as it is — no stack trace — against the component's resource, before anything is written.
 */
export function argumentError(
  resource: pulumi.Resource,
  component: string,
  name: string,
  argument: string,
  problem: string,
  fix: string,
): pulumi.ResourceError {
  return new pulumi.ResourceError(
    `${component} '${name}': ${argument} ${problem}; ${fix}. Nothing was changed.`,
    resource,
    true,
  );
}
