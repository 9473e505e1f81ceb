/**
 * A table of API items, as every console page draws them: a caption, column headers
 * (`scope="col"`), one row per item, and a single row saying so when there is none (not while
 * the first load is still under way: `items` is undefined then). `aria-busy` while loading.
 */
import type { ReactNode } from 'react';

export interface DataTableProps<T> {
  caption: ReactNode;
  columns: readonly string[];
  /** Undefined until loaded. */
  items: readonly T[] | undefined;
  /** The row for each item (a `<tr>` with its key). */
  row: (item: T) => ReactNode;
  /** What the one row of an empty table says; without it an empty table has no rows. */
  empty?: ReactNode;
  busy?: boolean;
}

export function DataTable<T>({ caption, columns, items, row, empty, busy }: DataTableProps<T>) {
  return (
    <table aria-busy={busy}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items?.length === 0 && empty !== undefined && (
          <tr>
            <td colSpan={columns.length}>{empty}</td>
          </tr>
        )}
        {items?.map(row)}
      </tbody>
    </table>
  );
}
