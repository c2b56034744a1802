import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A database path in a fresh temporary folder, removed after all tests of the file. */
export async function temporaryDatabase(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'soma-db-'));
  made.push(folder);
  return join(folder, 'validator.mdb');
}

afterAll(async () => {
  await Promise.all(made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});
