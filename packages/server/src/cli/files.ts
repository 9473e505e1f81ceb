import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './client.js';

/** A file named on the command line, as text; one that cannot be read is bad usage (exit 2), named with the reason. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, EXIT.usage);
  }
}
