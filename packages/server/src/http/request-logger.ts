import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level } from 'pino';

/** What the parent must answer besides Fastify's logger methods (pino's loggers do). */
type LevelAware = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };

/**
 * A request's logger (`request.log`) that becomes pino's child logger only when a line is
 * written at an enabled level. Fastify makes a child for every request, with the request id
 * bound; pino serialises and redacts the bindings when it makes one, which was about 2 % of
 * a decision's CPU in the authorize benchmark (docs/benchmarks.md), spent even when nothing
 * is logged (`logLevel: warn` and above: Fastify's per-request lines are at info). A line that
 * is written reads exactly as before: the child is made with the same bindings and options.
 */
export class DeferredChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The child itself, made on first use. */
  private get child_(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.child_.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.child_.child(bindings, options);
  }

  // Prototype methods, not arrow fields: nothing is allocated per request but this object.
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  /** Whether anything made now would write at `level` (the child has its parent's level until set). */
  private enabled(level: Level): boolean {
    const logger = (this.made ?? this.parent) as LevelAware;
    return logger.isLevelEnabled ? logger.isLevelEnabled(level) : true;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.enabled(level)) return;
    (this.child_[level] as (...line: unknown[]) => void)(...args);
  }

  /** Whether the child was made (tests). */
  get materialised(): boolean {
    return this.made !== undefined;
  }
}

/**
 * Fastify's `childLoggerFactory`. A route with its own `logLevel` passes `options.level`,
 * which changes what is enabled: that child is made at once.
 */
export function deferredChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined) return parent.child(bindings, options);
  return new DeferredChildLogger(parent, bindings, options);
}
