// The plugin under the real Pulumi engine: the fixture program (test-fixture/, one okta.app.OAuth) run with the
// Automation API, a file backend, the plugin's directory first on PATH (unless the official plugin is installed)
// and the local Okta reached as the official provider would reach it: OKTA_HTTP_PROXY (the org URL's stand-in),
// OKTA_ORG_NAME, OKTA_API_TOKEN. Outcomes are read on the local Okta's API and in its request log.

import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackendState } from "../../test/engine/harness";
import { startOktaLocal, type OktaLocal } from "../okta";
import { api } from "../okta/test-helpers";
import { createStack } from "../stack";
import { OKTA_PLUGIN_BIN_DIR, oktaPluginPath } from "./index";

const FIXTURE_DIR = path.join(__dirname, "test-fixture");
const ENGINE_TIMEOUT = 10 * 60_000;

let okta: OktaLocal;

beforeAll(async () => {
  okta = await startOktaLocal({});
});

afterAll(async () => {
  await okta?.close();
});

describe("the okta plugin under the Pulumi engine", () => {
  it(
    "up creates the app, a label change updates it in place (PUT, same id), ignoreChanges holds, destroy deletes it; no secret in state or output",
    async () => {
      const pluginDir = oktaPluginPath();
      const { stack, backendDir, dispose } = await createStack(
        `okta-plugin-${process.pid}`,
        {
          PULUMI_NODEJS_TRANSPILE_ONLY: "true",
          PATH: [...(pluginDir ? [pluginDir] : []), process.env.PATH ?? ""].join(path.delimiter),
          OKTA_HTTP_PROXY: okta.orgUrl,
          OKTA_ORG_NAME: "local",
          OKTA_API_TOKEN: okta.apiToken,
          // Empty counts as unset, whatever the test process inherited.
          OKTA_ACCESS_TOKEN: "",
          OKTA_API_PRIVATE_KEY: "",
        },
        FIXTURE_DIR,
      );
      const output: string[] = [];
      const collect = (s: string) => output.push(s);
      try {
        await stack.setConfig("label", { value: "engine-before" });
        const up1 = await stack.up({ onOutput: collect, onError: collect });
        const id = up1.outputs.id.value as string;
        expect(up1.summary.resourceChanges?.create).toBe(2); // the stack and the app
        const created = await api(okta, "GET", `/api/v1/apps/${id}`);
        expect(created.status).toBe(200);
        expect(created.json).toMatchObject({ label: "engine-before", status: "ACTIVE" });
        expect(up1.outputs.clientId.value).toBe(created.json.credentials.oauthClient.client_id);
        expect(up1.outputs.clientSecret.secret).toBe(true);
        const secret = okta.listSecrets(id)[0].clientSecret;
        expect(up1.outputs.clientSecret.value === secret).toBe(true);
        if (pluginDir === OKTA_PLUGIN_BIN_DIR) {
          expect(output.join("")).toContain(
            `using pulumi-resource-okta from $PATH at ${OKTA_PLUGIN_BIN_DIR}`,
          );
        }

        await stack.setConfig("label", { value: "engine-after" });
        const from = okta.requestLog.length;
        const up2 = await stack.up({ onOutput: collect, onError: collect });
        expect(up2.summary.resourceChanges?.update).toBe(1);
        expect(up2.outputs.id.value).toBe(id);
        expect(up2.outputs.label.value).toBe("engine-after");
        const writes = okta.requestLog.slice(from).filter((e) => e.method !== "GET");
        expect(writes.map((e) => `${e.method} ${e.path}`)).toEqual([`PUT /api/v1/apps/${id}`]);
        expect((await api(okta, "GET", `/api/v1/apps/${id}`)).json.label).toBe("engine-after");

        // An auth method switched outside the program survives refresh and the next update (ignoreChanges).
        const app = (await api(okta, "GET", `/api/v1/apps/${id}`)).json;
        app.credentials.oauthClient.token_endpoint_auth_method = "client_secret_post";
        expect((await api(okta, "PUT", `/api/v1/apps/${id}`, { body: app })).status).toBe(200);
        await stack.refresh({ onOutput: collect });
        await stack.setConfig("label", { value: "engine-last" });
        await stack.up({ onOutput: collect, onError: collect });
        expect((await api(okta, "GET", `/api/v1/apps/${id}`)).json).toMatchObject({
          label: "engine-last",
          credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_post" } },
        });

        expect(readBackendState(backendDir)).toContain(id);
        expect(readBackendState(backendDir).includes(secret)).toBe(false);
        expect(readBackendState(backendDir).includes(okta.apiToken)).toBe(false);
        expect(output.join("").includes(secret)).toBe(false);

        await stack.destroy({ onOutput: collect });
        expect((await api(okta, "GET", `/api/v1/apps/${id}`)).status).toBe(404);
      } finally {
        await dispose();
      }
    },
    ENGINE_TIMEOUT,
  );
});
