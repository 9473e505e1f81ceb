/**
 * `mandate policy eval QUERY` without `-d`: the query is evaluated by the server against its
 * active policies and data (`POST /v1/data/{path}` with the input), as `opa eval` users expect.
 * The answer is printed in `policy eval`'s shapes; numbers are copied as text, never through a
 * double, so exact values stay exact (docs/policies.md). Loads no engine.
 */
import { readFileSync } from 'node:fs';
import { CliError, EXIT, type ApiClient } from './client.js';
import { dataPath } from './data.js';
import type { PolicyIO } from './policy-offline-commands.js';

export interface OnlineEvalOptions {
  input?: string;
  format: string;
  strictBuiltinErrors?: boolean;
}

/** JSON text re-indented like JSON.stringify(value, null, indent), copying every token's text as it is. */
export function indentJson(text: string, indent = 2): string {
  let out = '';
  let depth = 0;
  const newline = () => `\n${' '.repeat(depth * indent)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let k = i + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (text[k] === close) {
        out += c + close;
        i = k;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += `,${newline()}`;
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}

export async function evalOnServer(client: ApiClient, query: string, options: OnlineEvalOptions, io: PolicyIO): Promise<void> {
  const ref = query.trim();
  if (!/^data(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(ref)) {
    throw new CliError(`without -d the server evaluates a reference under data (data.a.b, as POST /v1/data/a/b), not '${query}'; give -d FILE to evaluate any query offline`, EXIT.usage);
  }
  if (options.format !== 'json' && options.format !== 'pretty') throw new CliError(`--format must be json or pretty, not ${options.format}`, EXIT.usage);
  let body = '{}';
  if (options.input) {
    let text: string;
    try {
      text = readFileSync(options.input, 'utf8');
      JSON.parse(text);
    } catch (error) {
      throw new CliError(`${options.input}: ${(error as Error).message}`, EXIT.usage);
    }
    body = `{"input":${text.trim()}}`;
  }
  const flags = options.strictBuiltinErrors ? '?strict-builtin-errors=true' : '';
  const answer = (await client.requestText('POST', `/v1/data${dataPath(ref)}${flags}`, body, { contentType: 'application/json' })).trim();
  // The server writes `{"result":VALUE}`, or `{}` when the document is undefined.
  const value = answer.startsWith('{"result":') && answer.endsWith('}') ? answer.slice('{"result":'.length, -1) : undefined;
  if (options.format === 'pretty') return io.out(`${value === undefined ? 'undefined' : indentJson(value)}\n`);
  // Keys in the engine's order (sorted), as the offline eval prints them.
  const json = value === undefined ? '{}' : `{"result":[{"expressions":[{"location":{"col":1,"row":1},"text":${JSON.stringify(query)},"value":${value}}]}]}`;
  io.out(`${indentJson(json)}\n`);
}
