/**
 * How the demo tells its story: a numbered heading per step, indented lines of what happens, and
 * one outcome line per step — `=> ok: …`, `=> skipped: <capability> not available in this build`
 * or `=> failed: …`. The outcome lines are what the demo's test reads, so keep their shape.
 */
export type Outcome = { kind: 'ok'; summary: string } | { kind: 'skipped'; capability: string } | { kind: 'failed'; reason: string };

export const ok = (summary: string): Outcome => ({ kind: 'ok', summary });
/** Only for a capability the running server does not offer: never for a step that went wrong. */
export const skipped = (capability: string): Outcome => ({ kind: 'skipped', capability });
export const failed = (reason: string): Outcome => ({ kind: 'failed', reason });

export function outcomeLine(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'ok':
      return `   => ok: ${outcome.summary}`;
    case 'skipped':
      return `   => skipped: ${outcome.capability} not available in this build`;
    case 'failed':
      return `   => failed: ${outcome.reason}`;
  }
}

export class Narrator {
  constructor(private readonly write: (text: string) => void) {}

  title(text: string): void {
    this.write(`${text}\n${'='.repeat(text.length)}\n\n`);
  }

  heading(index: number, total: number, title: string): void {
    this.write(`[${index}/${total}] ${title}\n`);
  }

  /** One thing that happened, in the step's words. */
  say(text: string): void {
    this.write(`    ${text}\n`);
  }

  outcome(outcome: Outcome): void {
    this.write(`${outcomeLine(outcome)}\n\n`);
  }

  line(text: string): void {
    this.write(`${text}\n`);
  }
}
