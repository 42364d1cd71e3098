/** An in-memory KV v2 entry: every write is a new version, earlier versions stay readable. */
export class KvEntry<T> {
  private readonly versions: T[] = [];

  put(data: T): number {
    this.versions.push(data);
    return this.versions.length;
  }

  latest(): T {
    if (this.versions.length === 0) throw new Error("no version written yet");
    return this.versions[this.versions.length - 1];
  }

  version(n: number): T | undefined {
    return this.versions[n - 1];
  }

  get count(): number {
    return this.versions.length;
  }
}
