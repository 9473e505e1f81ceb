#!/usr/bin/env node
import { endQuietlyWhenStdoutCloses } from './closed-pipe.js';
import { runCli } from './program.js';

endQuietlyWhenStdoutCloses();
const code = await runCli(process.argv.slice(2));
// `server` keeps running: only exit when the command has finished its work.
if (process.argv[2] !== 'server' || code !== 0) process.exitCode = code;
