// Bookkeeping inputs of the dynamic resources travel under a `__` prefix (`__slot`, `__replaceOnlyInactive`, …).
//
// A preview shows, for each resource, the diff of its old and new inputs: a dynamic provider's diff can only say
// *whether* something changes and what replaces (the Node SDK's dynamic provider host sends no changed keys and no
// detailed diff), so the engine diffs every input. Properties whose key starts with `__` are the engine's own
// (`resource.IsInternalPropertyKey`, as `__provider` is): they are kept in state and handed to the provider like
// any other, but never printed — not in `pulumi preview --diff`, not in `pulumi up`'s output. So the rotation's
// bookkeeping (what each slot last recorded, how its secret is made, the guard against replacing an ACTIVE one)
// stays out of what a reviewer reads, and the diff shows what happens: a secret replaced, a status changed, a
// generation moved.
//
// The resource classes register those inputs under the prefix; `wrapHiddenInputs` gives the provider its inputs
// and outputs under their plain names and puts its outputs back under the prefix. State written before the prefix
// (plain names) is read the same way.

/** The prefix the engine treats as internal. */
export const HIDDEN_PREFIX = "__";
const PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

/** A provider whose bookkeeping inputs are hidden: the plain names to hide, given its (plain) inputs or outputs. */
export interface HidesInputs {
  hiddenInputs(props: Props): readonly string[];
}

/** `props` with each of `keys` that it has moved under the prefix. Pure. */
export function hideInputs(props: Props, keys: readonly string[]): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (keys.includes(k)) out[`${HIDDEN_PREFIX}${k}`] = v;
    else out[k] = v;
  }
  return out;
}

/** `props` with every prefixed key (but `__provider`) under its plain name; a plain key already there wins. Pure. */
export function revealInputs(props: Props | undefined): Props | undefined {
  if (props === undefined || props === null || typeof props !== "object") return props;
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith(HIDDEN_PREFIX) && k !== PROVIDER_KEY) {
      const plain = k.slice(HIDDEN_PREFIX.length);
      if (!(plain in props)) out[plain] = v;
    } else out[k] = v;
  }
  return out;
}

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The provider's methods, bound to it, with the bookkeeping inputs revealed on the way in and hidden on the way
 * out (`hiddenInputs` says which). Methods it lacks stay absent.
 */
export function wrapHiddenInputs(
  provider: Partial<Record<string, unknown>> & HidesInputs,
  methods: readonly string[],
): Record<string, Method> {
  const hide = (p: unknown) =>
    p !== undefined && p !== null && typeof p === "object"
      ? hideInputs(p as Props, provider.hiddenInputs(p as Props))
      : p;
  const call = (m: string) => (provider[m] as Method).bind(provider);
  const wrapped: Record<string, Method> = {};
  for (const m of methods) {
    if (typeof provider[m] !== "function") continue;
    const fn = call(m);
    switch (m) {
      case "check":
        wrapped[m] = async (olds, news) => {
          const r = (await fn(revealInputs(olds as Props), revealInputs(news as Props))) as {
            inputs?: Props;
          };
          return r?.inputs !== undefined ? { ...r, inputs: hide(r.inputs) } : r;
        };
        break;
      case "diff":
      case "update":
        wrapped[m] = async (id, olds, news) => {
          const r = (await fn(id, revealInputs(olds as Props), revealInputs(news as Props))) as {
            outs?: Props;
          };
          return m === "update" && r?.outs !== undefined ? { ...r, outs: hide(r.outs) } : r;
        };
        break;
      case "create":
        wrapped[m] = async (inputs) => {
          const r = (await fn(revealInputs(inputs as Props))) as { outs?: Props };
          return r?.outs !== undefined ? { ...r, outs: hide(r.outs) } : r;
        };
        break;
      case "read":
        wrapped[m] = async (id, props) => {
          const r = (await fn(id, revealInputs(props as Props))) as { props?: Props; inputs?: Props };
          if (r === undefined || r === null) return r;
          return {
            ...r,
            ...(r.props !== undefined ? { props: hide(r.props) } : {}),
            ...(r.inputs !== undefined ? { inputs: hide(r.inputs) } : {}),
          };
        };
        break;
      case "delete":
        wrapped[m] = async (id, props) => fn(id, revealInputs(props as Props));
        break;
      default:
        wrapped[m] = fn;
    }
  }
  return wrapped;
}

/** Whether a provider hides bookkeeping inputs. */
export function hidesInputs(provider: unknown): provider is HidesInputs {
  return (
    typeof provider === "object" &&
    provider !== null &&
    typeof (provider as Partial<HidesInputs>).hiddenInputs === "function"
  );
}
