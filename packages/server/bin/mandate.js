#!/usr/bin/env node
// The `mandate` command; the compiled CLI lives in dist/ (built by `npm run build`, run on install).
import '../dist/cli/main.js';
