import fc from 'fast-check';
import { ArrivalOrder } from '../../../lib/validator/manager/arrival-order';

interface Entry {
  readonly name: number;
  readonly enqueuedAt: number;
}

describe('ArrivalOrder', () => {
  it('answers the member that arrived first, whatever order they were added in', () => {
    const members = new Set<Entry>();
    const order = new ArrivalOrder<Entry>();
    const join = (entry: Entry): void => {
      members.add(entry);
      order.add(entry, members);
    };
    const young = { name: 1, enqueuedAt: 20 };
    const late = { name: 2, enqueuedAt: 10 }; // a concurrent call registering after a later one
    const sameTime = { name: 3, enqueuedAt: 10 };
    join(young);
    join(late);
    join(sameTime);
    expect(order.oldest(members)).toBe(late);
    members.delete(late);
    expect(order.oldest(members)).toBe(sameTime); // equal arrivals in the order they were added
    members.delete(sameTime);
    expect(order.oldest(members)).toBe(young);
    members.delete(young);
    expect(order.oldest(members)).toBeUndefined();
  });

  it('agrees with a sorted copy over random joins and leaves, rejoins included, and keeps its leftovers bounded', () => {
    const operation = fc.oneof(
      fc.record({ join: fc.integer({ min: 0, max: 40 }), at: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ leave: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const members = new Map<Entry, number>();
        const entries = new Map<number, Entry>(); // an entry's arrival never changes: a rejoin is the same entry
        const order = new ArrivalOrder<Entry>();
        // The reference: members by arrival, then by the order they (last) joined.
        const joinedAt = new Map<Entry, number>();
        let step = 0;
        for (const op of operations) {
          step++;
          if ('join' in op) {
            const entry = entries.get(op.join) ?? { name: op.join, enqueuedAt: op.at };
            entries.set(op.join, entry);
            if (members.has(entry)) continue;
            members.set(entry, 1);
            joinedAt.set(entry, step);
            order.add(entry, members);
          } else {
            const entry = entries.get(op.leave);
            if (entry) members.delete(entry);
            if (members.size === 0) order.clear();
          }
          const expected = [...members.keys()].sort((a, b) => a.enqueuedAt - b.enqueuedAt || (joinedAt.get(a) as number) - (joinedAt.get(b) as number))[0];
          const oldest = order.oldest(members);
          // A rejoined entry may also sit at its first place: the same arrival, so the same age.
          expect(oldest?.enqueuedAt).toBe(expected?.enqueuedAt);
          if (oldest) expect(members.has(oldest)).toBe(true);
          expect((order as unknown as { items: unknown[] }).items.length).toBeLessThanOrEqual(3 * members.size + 34);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('ArrivalOrder walked oldest first', () => {
  it('visits each member once, in arrival order, until told to stop, and skips those that left', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), leaves: fc.boolean() }), { maxLength: 80 }), fc.integer({ min: 0, max: 20 }), (joins, stopAt) => {
        const members = new Set<Entry>();
        const order = new ArrivalOrder<Entry>();
        const entries = joins.map(({ at }, name) => ({ name, enqueuedAt: at }));
        for (const entry of entries) {
          members.add(entry);
          order.add(entry, members);
        }
        joins.forEach(({ leaves }, i) => {
          if (leaves) members.delete(entries[i] as Entry);
        });
        const visited: Entry[] = [];
        order.forEachOldestFirst(members, (entry) => {
          if (entry.enqueuedAt > stopAt) return false;
          visited.push(entry);
          return true;
        });
        const expected = [...members].filter((e) => e.enqueuedAt <= stopAt).sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.name - b.name);
        expect(visited).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
