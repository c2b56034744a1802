import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

// LMDB's on-disk layout as lmdb-js 3's bundled liblmdb writes it on a 64-bit little-endian machine (mdb.c):
// a page header of 24 bytes (page number u64, txn id u64, pad u16, flags u16, lower/upper u16), then, on the
// two meta pages (pages 0 and 1), MDB_meta: magic, version, address, map size, the free and main trees'
// MDB_db (48 bytes each: page size in the first one's pad, flags, depth, page counts, entries, root), the
// last page used and the txn id that wrote it.
const PAGE_HEADER = 24;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_META = 0x08;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const F_SUBDATA = 0x02;
const NODE_HEADER = 8;
const NO_PAGE = 0xffff_ffff_ffff_ffffn;
const META = { magic: 24, version: 28, pageSize: 48, freeDb: 48, mainDb: 96, lastPage: 144, txnId: 152, end: 168 } as const;
const DB = { depth: 6, root: 40, size: 48 } as const;

/** A tree the check walks: its root and depth (pages above the last level are branches). */
interface Tree {
  readonly name: string;
  readonly root: bigint;
  readonly depth: number;
}

interface Meta {
  readonly txnId: bigint;
  readonly lastPage: bigint;
  readonly trees: readonly Tree[];
}

/**
 * Check an LMDB file's structure before it is mapped: lmdb-js maps the
 * whole file and reads it through the map, so a page past the end of the
 * file is a SIGBUS, and a page size of zero a division by zero (SIGFPE),
 * each killing the process. Checked: both meta pages (their page flags and
 * numbers, magic, version, one sane page size, a txn id of each page's
 * parity, as LMDB writes meta page `txnId & 1`), and the trees of the
 * newest one: every branch page they reach (a page header naming its own
 * number, a branch or a leaf, node offsets within the page) with its
 * children within the file, and the main tree's leaves, whose named
 * databases (the store's tables) are walked the same way. Leaf pages of
 * the tables and the overflow pages of large values are not read (that is
 * the whole file): their damage is not found here. LMDB has no checksums.
 * @returns what is wrong, or undefined for a file that passes.
 */
export function lmdbLayoutProblem(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    return new LayoutReader(fd, fstatSync(fd).size).problem();
  } finally {
    closeSync(fd);
  }
}

class LayoutReader {
  private pageSize = 0;
  private pages = 0n;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  problem(): string | undefined {
    const first = this.read(0, 256);
    if (first.length < META.end) return `it is ${this.size} bytes, shorter than a meta page`;
    this.pageSize = first.readUInt32LE(META.pageSize);
    if (this.pageSize < 256 || this.pageSize > 65_536 || (this.pageSize & (this.pageSize - 1)) !== 0) return `meta page 0 gives a page size of ${this.pageSize}`;
    if (this.size < 2 * this.pageSize) return `it is ${this.size} bytes, shorter than its two meta pages of ${this.pageSize} bytes`;
    this.pages = BigInt(Math.floor(this.size / this.pageSize));
    const metas: Meta[] = [];
    for (const page of [0, 1]) {
      const meta = this.meta(page);
      if (typeof meta === 'string') return `meta page ${page}: ${meta}`;
      metas.push(meta);
    }
    const [a, b] = metas as [Meta, Meta];
    const newest = a.txnId >= b.txnId ? a : b;
    const which = newest === a ? 0 : 1;
    const trees = [...newest.trees];
    for (let i = 0; i < trees.length; i++) {
      const tree = trees[i] as Tree;
      if (tree.root === NO_PAGE) continue;
      const problem = this.tree(tree, newest.lastPage, i === 1 ? trees : undefined);
      if (problem) return `the newest meta page (${which}, txn ${newest.txnId}): ${problem}`;
    }
    return undefined;
  }

  private meta(page: number): Meta | string {
    const bytes = this.read(page * this.pageSize, META.end);
    if (bytes.readUInt32LE(META.magic) !== MAGIC) return 'no LMDB magic';
    if ((bytes.readUInt16LE(18) & P_META) === 0 || bytes.readBigUInt64LE(0) !== BigInt(page)) return 'its page header is not a meta page header';
    if ((bytes.readUInt32LE(META.version) & 0xffff) !== DATA_VERSION) return `data version ${bytes.readUInt32LE(META.version) & 0xffff}, not ${DATA_VERSION}`;
    if (bytes.readUInt32LE(META.pageSize) !== this.pageSize) return `page size ${bytes.readUInt32LE(META.pageSize)}, meta page 0 says ${this.pageSize}`;
    const txnId = bytes.readBigUInt64LE(META.txnId);
    // A fresh file has txn 0 in both; after that, meta page (txn & 1) is the one each commit writes.
    if (txnId !== 0n && (txnId & 1n) !== BigInt(page)) return `txn ${txnId} cannot be on meta page ${page}`;
    const lastPage = bytes.readBigUInt64LE(META.lastPage);
    if (lastPage < 1n) return `last page ${lastPage}`;
    const tree = (name: string, at: number): Tree => ({ name, root: bytes.readBigUInt64LE(at + DB.root), depth: bytes.readUInt16LE(at + DB.depth) });
    return { txnId, lastPage, trees: [tree('the free-page tree', META.freeDb), tree('the main tree', META.mainDb)] };
  }

  /** Walk a tree's branch pages (and, for the main tree, its leaves, adding each named database to `named`). */
  private tree(tree: Tree, lastPage: bigint, named: Tree[] | undefined): string | undefined {
    const levels = named ? tree.depth : tree.depth - 1; // the main tree's leaves are read too
    let level: bigint[] = [tree.root];
    for (let depth = 1; level.length > 0; depth++) {
      const bad = level.find((page) => page < 2n || page > lastPage || page >= this.pages);
      if (bad !== undefined) return `${tree.name} reaches page ${bad}, past ${bad > lastPage ? `its last page ${lastPage}` : `the end of the file (${this.pages} pages)`}`;
      if (depth > levels) return undefined;
      const next: bigint[] = [];
      for (const number of level) {
        const page = this.read(Number(number) * this.pageSize, this.pageSize);
        const problem = this.nodes(page, number, depth < tree.depth ? P_BRANCH : P_LEAF, (node) => {
          if (depth < tree.depth) next.push(BigInt(node.readUInt16LE(0)) | (BigInt(node.readUInt16LE(2)) << 16n) | (BigInt(node.readUInt16LE(4)) << 32n));
          else if (named && (node.readUInt16LE(4) & F_SUBDATA) !== 0) {
            const keySize = node.readUInt16LE(6);
            const db = node.subarray(NODE_HEADER + keySize, NODE_HEADER + keySize + DB.size);
            if (db.length < DB.size) return 'a named database record runs past its page';
            named.push({ name: `table ${JSON.stringify(node.subarray(NODE_HEADER, NODE_HEADER + keySize).toString('latin1'))}`, root: db.readBigUInt64LE(DB.root), depth: db.readUInt16LE(DB.depth) });
          }
          return undefined;
        });
        if (problem) return `${tree.name}, page ${number}: ${problem}`;
      }
      level = next;
    }
    return undefined;
  }

  /** Check a page's header and visit each of its nodes (given from the node's header on). */
  private nodes(page: Buffer, number: bigint, kind: number, visit: (node: Buffer) => string | undefined): string | undefined {
    if (page.length < this.pageSize) return 'past the end of the file';
    if (page.readBigUInt64LE(0) !== number) return `its header names page ${page.readBigUInt64LE(0)}`;
    if ((page.readUInt16LE(18) & (P_BRANCH | P_LEAF | P_META)) !== kind) return `its flags are 0x${page.readUInt16LE(18).toString(16)}, not a ${kind === P_BRANCH ? 'branch' : 'leaf'} page's`;
    const lower = page.readUInt16LE(20);
    const upper = page.readUInt16LE(22);
    if (lower > upper || PAGE_HEADER + upper > this.pageSize || (kind === P_BRANCH && lower < 2)) return `free space from ${lower} to ${upper}`;
    for (let i = 0; i < lower >> 1; i++) {
      const at = PAGE_HEADER + page.readUInt16LE(PAGE_HEADER + 2 * i);
      if (at + NODE_HEADER > this.pageSize) return `node ${i} starts past the page`;
      const problem = visit(page.subarray(at));
      if (problem) return problem;
    }
    return undefined;
  }

  private read(position: number, length: number): Buffer {
    const bytes = Buffer.alloc(length);
    const read = readSync(this.fd, bytes, 0, length, position);
    return bytes.subarray(0, read);
  }
}
