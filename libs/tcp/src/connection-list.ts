/** What a `ConnectionList` needs of its members: links of their own. */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
}

/**
 * The open connections, as a list linked through the connections themselves, as Node links its
 * timers (`lib/internal/linkedlist.js`). A `Set` would serve, but a `Set` of objects that live
 * a millisecond made V8 keep much more of each closed connection (BENCHMARKS.md, tcp-cpm),
 * most likely because each time it rehashes, the table it leaves behind still points at the
 * connections open then, and once that table is in V8's old space it keeps them, sockets
 * included, alive until the next full collection. Here a closed connection's links are
 * cleared and nothing else refers to it.
 */
export class ConnectionList<T extends Linked<T>> {
  private head: T | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    item.next = this.head;
    if (this.head !== undefined) this.head.prev = item;
    this.head = item;
    this.count++;
  }

  remove(item: T): void {
    if (item.prev !== undefined) item.prev.next = item.next;
    else if (this.head === item) this.head = item.next;
    else return; // not in the list
    if (item.next !== undefined) item.next.prev = item.prev;
    item.prev = undefined;
    item.next = undefined;
    this.count--;
  }

  /** Calls `fn` on each member; `fn` may remove the member it is given. */
  forEach(fn: (item: T) => void): void {
    for (let item = this.head; item !== undefined; ) {
      const next: T | undefined = item.next;
      fn(item);
      item = next;
    }
  }
}
