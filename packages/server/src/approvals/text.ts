import { ValidationError } from '../shared/errors.js';

/**
 * What a human decider reads must show what it is. Control characters drive the terminal or
 * page that displays them (ESC sequences clear the screen or rewrite the line above), and
 * bidi controls reorder what follows (`q3<U+202E>fdp.exe` shows as `q3exe.pdf`), so an agent
 * could have a harmless-looking request approved. Both are refused in every field a decider
 * reads; a multi-line reason keeps tab and newline.
 *
 * | characters | why |
 * |---|---|
 * | C0 (U+0000–001F, but tab/LF/CR in reasons), DEL, C1 (U+0080–009F) | terminal control, ESC/CSI/OSC sequences |
 * | U+200E, U+200F, U+202A–202E, U+2066–2069 | bidi marks, embeddings, overrides and isolates reorder the text shown |
 */
const CONTROL = {
  singleLine: /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
  multiLine: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
} as const;

/** Throws a 400 naming `field` when `value` holds a control or bidi character. */
export function checkDisplayText(field: string, value: unknown, lines: 'single' | 'multi' = 'single'): void {
  if (typeof value !== 'string') return;
  if ((lines === 'multi' ? CONTROL.multiLine : CONTROL.singleLine).test(value)) {
    const allowed = lines === 'multi' ? ' other than tab and newline' : '';
    throw new ValidationError(`${field} must not contain control or bidi characters${allowed} (deciders read it)`, { field });
  }
}
