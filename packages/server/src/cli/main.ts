#!/usr/bin/env node
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// `server` keeps running: only exit when the command has finished its work.
if (process.argv[2] !== 'server' || code !== 0) process.exitCode = code;
