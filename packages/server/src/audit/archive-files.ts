import { randomUUID } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../shared/sync-directory.js';

/**
 * Files that survive a crash at any instant (the archive's only way to write): the bytes go to a
 * temporary name, are synced, renamed over the final name, and the directory is synced so the
 * rename itself is on disk. A crash leaves the old file or the new one, never half of one, plus
 * perhaps a temporary file that the next run removes (`removeTemporaryFiles`).
 */

/** Where a durable write stands, for the archive's crash tests (archive.ts `ArchiveStep`). */
export type WriteStep = 'temp' | 'renamed';

export async function writeDurably(dir: string, name: string, data: Buffer, after: (step: WriteStep) => void = () => {}): Promise<void> {
  const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  after('temp');
  await rename(temp, join(dir, name));
  await syncDirectory(dir);
  after('renamed');
}

/** Deletes `names` in `dir` and syncs the directory; a name already gone is no error. */
export async function removeDurably(dir: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) {
    try {
      await unlink(join(dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  await syncDirectory(dir);
}

export async function listDirectory(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}
