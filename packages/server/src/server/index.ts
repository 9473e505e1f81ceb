/** The server face: start Mandate's HTTP server from a configuration (the CLI's `mandate server`, tests). */
export { runServer, startServer, type RunningServer } from './start.js';
