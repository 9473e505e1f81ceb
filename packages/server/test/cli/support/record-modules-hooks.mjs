// The hooks of record-modules.mjs: each module's URL is written before the module loads, so a
// process killed mid-way has still recorded what it loaded until then.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
