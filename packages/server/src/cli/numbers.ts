import { InvalidArgumentError } from 'commander';

/**
 * Commander parsers for numeric flags and arguments. A bad value is bad usage: commander names the
 * flag and the value, and the CLI exits 2 before anything is sent.
 */

/** 1, 2, 3, … */
export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** 0, 1, 2, … (written as digits only: no sign, no exponent) */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
