import { closeSync, fchmodSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './client.js';

/** Owner read/write only: the client secret is a credential. */
const SECRET_FILE_MODE = 0o600;

/** A file set aside for a client secret before the server makes one. */
export interface SecretFile {
  readonly path: string;
  /** Writes the secret (mode 0600) and closes the file. */
  write(secret: string): void;
  /** The request failed: remove what was set aside, leaving any file that was there before. */
  abandon(): void;
}

/**
 * `--secret-file FILE` sets the file aside *before* the request, so a file that exists (and
 * would be overwritten) is refused while nothing has been registered yet. Without `force` the
 * file itself is created exclusively (O_EXCL); with `force` a sibling is created exclusively and
 * renamed over FILE once the secret is in it, so FILE holds the old content or the whole new
 * secret, never a part.
 */
export function reserveSecretFile(path: string, force: boolean): SecretFile {
  const target = force ? join(dirname(path), `.${basename(path)}.${process.pid}.tmp`) : path;
  let fd: number;
  try {
    fd = openSync(target, 'wx', SECRET_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !force) throw new CliError(`${path} exists; refusing to overwrite it (pass --force to replace it)`);
    throw new CliError(`cannot create secret file ${path}: ${(error as Error).message}`);
  }
  // The umask may have taken bits away, never added any; set the mode exactly anyway.
  fchmodSync(fd, SECRET_FILE_MODE);
  const remove = () => {
    try {
      unlinkSync(target);
    } catch {
      // already gone
    }
  };
  return {
    path,
    write(secret: string) {
      try {
        writeSync(fd, `${secret}\n`);
        closeSync(fd);
        if (force) renameSync(target, path);
      } catch (error) {
        remove();
        throw error;
      }
    },
    abandon() {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      remove();
    },
  };
}
