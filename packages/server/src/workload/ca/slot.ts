/**
 * When the CA rotates, decided by a pure function of the active CA's issued-at (notBefore),
 * not-after and now, as SPIRE's `ca/manager/slot.go` does:
 *
 * | from | step |
 * |---|---|
 * | half of the active CA's lifetime | `prepare`: mint the next CA and publish it in the bundle (it signs nothing yet) |
 * | five sixths of it | `activate`: the prepared CA signs; the old one is retired |
 * | its not-after (the server was down) | `activate` at once |
 *
 * Publishing a third of a lifetime ahead gives every peer time to fetch the bundle holding
 * the next CA before the first certificate it signs reaches them.
 */
export type RotationStep = 'keep' | 'prepare' | 'activate';

export interface ActiveWindow {
  notBefore: number;
  notAfter: number;
}

export function preparesAt(ca: ActiveWindow): number {
  return ca.notBefore + (ca.notAfter - ca.notBefore) / 2;
}

export function activatesAt(ca: ActiveWindow): number {
  return ca.notBefore + ((ca.notAfter - ca.notBefore) * 5) / 6;
}

/** What the rotator must do now, given the active CA and whether a next one is already prepared. */
export function rotationStep(active: ActiveWindow | null, prepared: boolean, now: number): RotationStep {
  if (active === null) return prepared ? 'activate' : 'prepare';
  if (now >= activatesAt(active)) return prepared ? 'activate' : 'prepare';
  if (now >= preparesAt(active) && !prepared) return 'prepare';
  return 'keep';
}

/** A retired CA stays in the bundle until the last certificate it signed has expired. */
export function mayLeaveBundle(removeAt: number | null, now: number): boolean {
  return removeAt !== null && now >= removeAt;
}
