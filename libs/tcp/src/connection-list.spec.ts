import { ConnectionList, type Linked } from './connection-list';

class Item implements Linked<Item> {
  prev: Item | undefined = undefined;
  next: Item | undefined = undefined;
  constructor(readonly id: number) {}
}

function ids(list: ConnectionList<Item>): number[] {
  const seen: number[] = [];
  list.forEach((item) => seen.push(item.id));
  return seen;
}

describe('ConnectionList', () => {
  it('holds what is added, newest first, and counts it', () => {
    const list = new ConnectionList<Item>();
    expect(ids(list)).toEqual([]);
    for (const id of [1, 2, 3]) list.add(new Item(id));
    expect(ids(list)).toEqual([3, 2, 1]);
    expect(list.size).toBe(3);
  });

  it.each([
    ['the newest', 3, [2, 1]],
    ['one in the middle', 2, [3, 1]],
    ['the oldest', 1, [3, 2]],
  ])('removes %s and clears its links', (_, removed, left) => {
    const list = new ConnectionList<Item>();
    const items = [1, 2, 3].map((id) => new Item(id));
    for (const item of items) list.add(item);
    const item = items[removed - 1];
    list.remove(item);
    expect(ids(list)).toEqual(left);
    expect(list.size).toBe(2);
    expect([item.prev, item.next]).toEqual([undefined, undefined]);
  });

  it('ignores the removal of what it does not hold, twice or never added', () => {
    const list = new ConnectionList<Item>();
    const [a, b] = [new Item(1), new Item(2)];
    list.add(a);
    list.remove(a);
    list.remove(a);
    list.remove(b);
    expect(list.size).toBe(0);
    list.add(b);
    expect(ids(list)).toEqual([2]);
  });

  it('lets forEach remove each member it is given, as a closing connection does', () => {
    const list = new ConnectionList<Item>();
    for (const id of [1, 2, 3, 4]) list.add(new Item(id));
    const visited: number[] = [];
    list.forEach((item) => {
      visited.push(item.id);
      list.remove(item);
    });
    expect(visited).toEqual([4, 3, 2, 1]);
    expect(list.size).toBe(0);
    expect(ids(list)).toEqual([]);
  });
});
