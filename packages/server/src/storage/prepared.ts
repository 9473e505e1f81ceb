import { CompiledQuery, createQueryId, type Compilable } from 'kysely';
import type { Executor } from './database.js';

/** A value no caller passes: compiled in place of the argument, then found among the parameters. */
const MARKER = '\u0000mandate:prepared-lookup\u0000';

/**
 * A query of one text parameter, compiled once: `build(marker)` is compiled with a marker value
 * and every call runs the same SQL with the argument in the marker's place. For the hottest reads
 * (an agent by id or by client id, once per token request for a client not in the cache),
 * where building and compiling Kysely's query tree each time cost about as much as the indexed
 * read itself. The query runs on `executor` (the store's pool, not a transaction).
 */
export function preparedLookup<Row>(executor: Executor, build: (value: string) => Compilable<Row>): (value: string) => Promise<Row | undefined> {
  const compiled = build(MARKER).compile();
  const at = compiled.parameters.indexOf(MARKER);
  if (at < 0 || compiled.parameters.indexOf(MARKER, at + 1) >= 0) throw new Error('a prepared lookup takes its value exactly once');
  return async (value) => {
    const parameters = [...compiled.parameters];
    parameters[at] = value;
    const result = await executor.executeQuery<Row>({ ...compiled, parameters, queryId: createQueryId() } as CompiledQuery<Row>);
    return result.rows[0];
  };
}
