#!/usr/bin/env node
import { endQuietlyWhenStdoutCloses } from './closed-pipe.js';
import { runCli } from './program.js';

endQuietlyWhenStdoutCloses();
// Only the code: a running `server` keeps the process alive, and ends it itself (server/start.ts).
process.exitCode = await runCli(process.argv.slice(2));
