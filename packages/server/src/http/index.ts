/** The http face: the Fastify app with every context's routes (started by server/). */
export { buildApp } from './app.js';
