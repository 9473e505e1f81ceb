import type { Envelope } from './envelope.js';

/** One row's sealed column, as master-key rotation sees it. */
export interface SealedCell {
  sealed: string;
  context: string;
  save(rewrapped: string): Promise<unknown>;
}

/**
 * Moves each cell's data key from `from`'s master key to `to`'s (Envelope.rewrap: values are not
 * re-encrypted), one after the other in the caller's transaction. Returns how many moved.
 */
export async function rewrapCells(cells: readonly SealedCell[], from: Envelope, to: Envelope): Promise<number> {
  for (const cell of cells) await cell.save(from.rewrap(cell.sealed, cell.context, to));
  return cells.length;
}
