import * as pulumi from "@pulumi/pulumi";
import { argumentError } from "./errors";

/** Which rotation of this program writes each Vault entry (`mount/path`). Kept per process, outside any closure. */
function claims(): Map<string, string> {
  const g = globalThis as unknown as Record<string, Map<string, string> | undefined>;
  return (g.__oktaRotationVaultPaths ??= new Map());
}

/** Forgets the claims (tests that build programs one after another in one process). */
export function resetVaultPathClaims(): void {
  claims().clear();
}

/** `mount/path` with the spaces around each and the slashes at the ends of the path dropped. Pure. */
export function vaultEntryKey(mount: string, path: string): string {
  return `${mount.trim()}/${path.trim().replace(/^\/+|\/+$/g, "")}`;
}

/**
 * Claims the Vault entry a rotation writes, refusing one another rotation of the program writes: each would
 * overwrite the other's secret, and pods would read the wrong app's credential. Plain values are checked at once
 * (so `pulumi preview` refuses); values known only later are checked when known, and the returned output, which
 * the rotation's first write depends on, fails then — before anything is written.
 */
export function claimVaultPath(
  resource: pulumi.Resource,
  component: string,
  name: string,
  vault: { readonly mount: pulumi.Input<string>; readonly path: pulumi.Input<string> },
): pulumi.Output<pulumi.Resource[]> | undefined {
  const claim = (mount: string, path: string): void => {
    const key = vaultEntryKey(mount, path);
    const owner = claims().get(key);
    if (owner !== undefined && owner !== `${component} '${name}'`) {
      throw argumentError(
        resource,
        component,
        name,
        "vault",
        `writes the same Vault entry (${key}) as ${owner}: each would overwrite the other's secret`,
        "give each rotation its own vault.path",
      );
    }
    claims().set(key, `${component} '${name}'`);
  };
  if (typeof vault.mount === "string" && typeof vault.path === "string") {
    claim(vault.mount, vault.path);
    return undefined;
  }
  return pulumi.all([vault.mount, vault.path]).apply(([mount, path]) => {
    claim(mount, path);
    return [] as pulumi.Resource[];
  });
}
