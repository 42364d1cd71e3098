// The bench's floor: a Pulumi program of the rotation's shape in which nothing happens. Per app (stack config
// `apps`), one component and four dynamic resources with as many properties as a rotation's SecretValue (8),
// holder ClientSecret (15), TokenExchangeGate (12) and retired ClientSecret (15), each depending on the one
// before as the rotation's do; the provider creates nothing and never finds a change. Its no-change previews,
// side by side with the rotation's, show what the engine and the Node SDK alone charge per app of that shape.
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: "same", outs: inputs };
  },
  async diff() {
    return { changes: false };
  },
};

/** Properties of the four resources of one app, in registration order. */
const SHAPE = [8, 15, 12, 15];

class Step extends pulumi.dynamic.Resource {
  constructor(name: string, properties: number, opts: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      Object.fromEntries(Array.from({ length: properties }, (_, i) => [`p${i}`, `v${i}`])),
      opts,
    );
  }
}

class App extends pulumi.ComponentResource {
  constructor(name: string) {
    super("shape:index:App", name, {}, {});
    let last: Step | undefined;
    SHAPE.forEach((properties, i) => {
      last = new Step(`${name}-${i}`, properties, { parent: this, ...(last ? { dependsOn: [last] } : {}) });
    });
    this.registerOutputs({ last: last?.id });
  }
}

const apps = new pulumi.Config().requireNumber("apps");
for (let i = 0; i < apps; i++) new App(`app-${i}`);
