import { MandateError } from '../shared/errors.js';

/** 502: the target database refused or did not answer; the message says what it said (never a password). */
export class TargetDatabaseError extends MandateError {
  constructor(connection: string, error: unknown) {
    super('database_error', 502, `database '${connection}': ${scrub(error instanceof Error ? error.message : String(error))}`, { connection });
  }

  /** The target's own answer (scrubbed) is what an operator needs to fix the role or connection. */
  override get expose(): boolean {
    return true;
  }
}

/** Error texts from pg may quote a statement; a password in one is replaced before it is shown. */
export function scrub(message: string): string {
  return message.replace(/PASSWORD\s+'[^']*'/gi, "PASSWORD '***'").replace(/:\/\/([^:/@]+):[^@]*@/g, '://$1:***@');
}
