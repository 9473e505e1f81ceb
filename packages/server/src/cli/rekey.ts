import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { MasterKeyError, parseMasterKey } from '../crypto/index.js';
import { rekey } from '../rekey.js';
import { CliError, EXIT } from './client.js';

/**
 * The new master key from a file only its owner can read (a key on the command line would land
 * in shell history and `ps`); it is never printed.
 */
function readNewKey(file: string): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    throw new CliError(`cannot read the new key file ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  if ((mode & 0o077) !== 0) {
    throw new CliError(`${file} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it first`, EXIT.usage);
  }
  try {
    return parseMasterKey(readFileSync(file, 'utf8'));
  } catch {
    throw new CliError(`${file} does not hold a valid key: 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`)`, EXIT.usage);
  }
}

/** `mandate server rekey --new-key-file FILE` (loaded only when the verb runs). */
export async function rekeyCommand(config: Config, newKeyFile: string): Promise<void> {
  const newKey = readNewKey(newKeyFile);
  let result;
  try {
    result = await rekey(config, newKey);
  } catch (error) {
    if (error instanceof MasterKeyError) throw new CliError(`master key not rotated: ${error.message}`);
    throw error;
  } finally {
    newKey.fill(0);
  }
  const moved = Object.entries(result.counts)
    .map(([name, count]) => `${name}=${count}`)
    .join(' ');
  process.stdout.write(`master key rotated in one transaction (rewrapped: ${moved}); audited as master_key.rotated\n`);
  process.stdout.write(
    result.keyFile
      ? `the new key is now in ${result.keyFile} (mode 0600); you may delete ${newKeyFile}\n`
      : config.masterKeyFile
        ? `replace the secret mounted at ${config.masterKeyFile} (MANDATE_MASTER_KEY_FILE) with the key in ${newKeyFile} on every replica before starting them: the old key no longer opens this store\n`
        : `set MANDATE_MASTER_KEY to the key in ${newKeyFile} on every replica before starting them: the old key no longer opens this store\n`,
  );
}
