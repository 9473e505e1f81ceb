/**
 * Text shown to a human passes through here: names, purposes and audit details are typed by
 * others (an owner-role operator, an agent), and a raw ESC or CR in them would drive the
 * reader's terminal (clear the screen, rewrite a line). Control characters print as \uXXXX;
 * `--json` output is JSON and already escapes them.
 */
export function printable(text: string, options: { keepNewlines?: boolean } = {}): string {
  const pattern = options.keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g;
  return text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Prints rows as an aligned text table for humans; `--json` callers print JSON instead. */
export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (value: unknown): string =>
    printable(value === null || value === undefined ? '-' : Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Key/value view of one record. */
export function printRecord(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) {
    const shown = value === null || value === undefined ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    process.stdout.write(`${key.padEnd(width)}  ${printable(shown)}\n`);
  }
}
