import type { ObjectId, StoredObject } from '../model/objects';

/** An object's latest-version entry as the disk holds it: its version, and whether it is deleted. */
export interface LatestEntry {
  readonly version: number;
  readonly deleted: boolean;
}

/**
 * What recently landed batches wrote, kept decoded so that the next
 * transaction reading it (the next increment of a hot counter, an account's
 * next payment) needs no LMDB read and no decoding: object versions as
 * written (frozen), and the latest-version entries exactly as the disk now
 * holds them (`null`: no entry).
 *
 * It only mirrors the disk: object versions enter when their batch is on
 * disk and leave when a landed batch prunes them; a latest entry is taken
 * from a landed batch's own write or from a read of the disk. Each map is
 * bounded (the oldest insertion goes first), so the heap stays flat.
 */
export class LandedObjects {
  private readonly objects = new Map<string, StoredObject>();
  private readonly latest = new Map<ObjectId, LatestEntry | null>();

  /** @param limit the most object versions (and, apart, latest entries) kept; 0 keeps none. */
  constructor(private readonly limit: number) {}

  object(id: ObjectId, version: number): StoredObject | undefined {
    return this.objects.get(versionKey(id, version));
  }

  /** The latest entry of `id` as on disk: `undefined` if not known here. */
  latestEntry(id: ObjectId): LatestEntry | null | undefined {
    return this.latest.get(id);
  }

  /** `object` is on disk. */
  landedObject(object: StoredObject): void {
    bounded(this.objects, versionKey(object.id, object.version), object, this.limit);
  }

  /** The version is gone from disk (pruned by a batch that landed). */
  pruned(id: ObjectId, version: number): void {
    this.objects.delete(versionKey(id, version));
  }

  /** The disk's latest entry of `id` is now `entry` (`null`: removed). */
  setLatest(id: ObjectId, entry: LatestEntry | null): void {
    bounded(this.latest, id, entry, this.limit);
  }
}

function bounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (limit === 0) return;
  map.delete(key); // re-inserted: the newest again
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as K);
}

function versionKey(id: ObjectId, version: number): string {
  return `${id}@${version}`;
}
