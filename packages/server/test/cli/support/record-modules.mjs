// Preloaded with `node --import` by spawn.ts: appends the URL of every module the process loads
// to the file named by RECORD_MODULES_TO, one per line. ES modules are recorded by a load hook
// (record-modules-hooks.mjs, on Node's hooks thread) as they load; CommonJS modules that
// packages require() among themselves never reach that hook, so the require cache is added on
// exit, which also runs when a command ends with process.exit().
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.RECORD_MODULES_TO;
if (file) {
  register('./record-modules-hooks.mjs', import.meta.url, { data: { file } });
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () => {
    const urls = Object.keys(cache).map((path) => pathToFileURL(path).href);
    appendFileSync(file, urls.map((url) => `${url}\n`).join(''));
  });
}
