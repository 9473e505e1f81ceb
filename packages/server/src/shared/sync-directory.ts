import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * fsync of a directory: a file created, renamed or removed in it is only on disk once its
 * directory is (the file's own fsync covers its bytes, not its name). Used wherever a crash must
 * find either the old file or the new one: the audit archive's segments, the master key a rekey
 * puts in place.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** syncDirectory for synchronous code (the rekey's key file). */
export function syncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
