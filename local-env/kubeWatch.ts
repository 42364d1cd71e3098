// A Kubernetes watch: from a list's resourceVersion, the API server streams one JSON event a line (ADDED,
// MODIFIED, DELETED, BOOKMARK, ERROR), so a deletion is seen when it happens rather than at the next poll.

import { kubeRequestOptions, type KubeTarget } from "../dynamic/kubeApi";

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export interface Watch {
  /**
   * Settles when the stream ends: resolves when the server ends it or `close()` is called, rejects on a transport
   * error or an answer other than 2xx.
   */
  done: Promise<void>;
  close(): void;
}

/**
 * Watches `apiPath` (a collection path with its query, without `watch=1`) from `resourceVersion`, calling `onEvent`
 * for each event in the order the server sends them.
 */
export function kubeWatch<T>(
  target: KubeTarget,
  apiPath: string,
  resourceVersion: string,
  onEvent: (event: WatchEvent<T>) => void,
): Watch {
  const sep = apiPath.includes("?") ? "&" : "?";
  const path = `${apiPath}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
  // No idle timeout: a quiet watch is a healthy one.
  const { url, options, transport } = kubeRequestOptions(target, "GET", path, undefined, 0);
  let closed = false;
  let request: ReturnType<typeof transport.request> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    request = transport.request(url, options, (res) => {
      res.setEncoding("utf8");
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        let body = "";
        res.on("data", (c: string) => (body += c));
        res.on("end", () => reject(new Error(`watch ${apiPath}: HTTP ${status} ${body.slice(0, 200)}`)));
        return;
      }
      let buffered = "";
      res.on("data", (chunk: string) => {
        buffered += chunk;
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== "") onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      });
      res.on("end", () => resolve());
      res.on("close", () => resolve());
      res.on("error", (err) => (closed ? resolve() : reject(err)));
    });
    request.on("error", (err) => (closed ? resolve() : reject(err)));
    request.end();
  });
  return {
    done,
    close() {
      closed = true;
      request?.destroy();
    },
  };
}
