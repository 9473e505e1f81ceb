/** The command-line options the HTTP benchmarks share: `--name=N` numeric options. */

/** The number given as `--name=N` in `args`, or `fallback` when absent. */
export function numericOption(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** The runs, seconds and warm-up seconds of a measurement (defaults 3 × 10 s, 3 s warm-up). */
export function runOptions(args: string[]): { runs: number; seconds: number; warmup: number } {
  return { runs: numericOption(args, 'runs', 3), seconds: numericOption(args, 'seconds', 10), warmup: numericOption(args, 'warmup', 3) };
}
