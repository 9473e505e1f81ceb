/**
 * Newer/Older buttons over a keyset-paged list: `cursors` holds the cursor of each page shown
 * after the first (the last one is the current page's), `next` is the list's cursor for the
 * page after this one (null on the last page).
 */
export function Pager<C>({ cursors, next, onChange }: { cursors: C[]; next: C | null | undefined; onChange: (cursors: C[]) => void }) {
  return (
    <div className="pager">
      <button type="button" disabled={cursors.length === 0} onClick={() => onChange(cursors.slice(0, -1))}>
        Newer
      </button>
      <button type="button" disabled={next === null || next === undefined} onClick={() => next !== null && next !== undefined && onChange([...cursors, next])}>
        Older
      </button>
    </div>
  );
}
