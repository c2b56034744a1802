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
 * written (frozen; the newest landed one of each object), and the latest-version entries exactly as the disk now
 * holds them (`null`: no entry).
 *
 * It only mirrors the disk: object versions enter when their batch is on
 * disk and leave when a landed batch prunes them; a latest entry is taken
 * from a landed batch's own write or from a read of the disk. Each map is
 * bounded (the oldest insertion goes first), so the heap stays flat.
 */
export class LandedObjects {
  /** By id, the newest version landed: the one the next transaction reads. Keyed by id alone (no string built per lookup). */
  private readonly objects = new Map<ObjectId, StoredObject>();
  private readonly latest = new Map<ObjectId, LatestEntry | null>();

  /** @param limit the most objects (and, apart, latest entries) kept; 0 keeps none. */
  constructor(private readonly limit: number) {}

  object(id: ObjectId, version: number): StoredObject | undefined {
    const object = this.objects.get(id);
    return object !== undefined && object.version === version ? object : undefined;
  }

  /** The latest entry of `id` as on disk: `undefined` if not known here. */
  latestEntry(id: ObjectId): LatestEntry | null | undefined {
    return this.latest.get(id);
  }

  /** `object` is on disk. */
  landedObject(object: StoredObject): void {
    const kept = this.objects.get(object.id);
    if (kept === undefined || kept.version <= object.version) bounded(this.objects, object.id, object, this.limit);
  }

  /** The version is gone from disk (pruned by a batch that landed). */
  pruned(id: ObjectId, version: number): void {
    if (this.objects.get(id)?.version === version) this.objects.delete(id);
  }

  /** The disk's latest entry of `id` is now `entry` (`null`: removed). */
  setLatest(id: ObjectId, entry: LatestEntry | null): void {
    bounded(this.latest, id, entry, this.limit);
  }
}

function bounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (limit === 0) return;
  if (!map.has(key) && map.size >= limit) {
    // The oldest insertion goes (entries are not moved on update: a hot object is rewritten often, and stays).
    for (const oldest of map.keys()) {
      map.delete(oldest);
      break;
    }
  }
  map.set(key, value);
}
