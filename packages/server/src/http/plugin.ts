import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Runtime } from '../runtime.js';

/** Each context's HTTP surface: a Fastify plugin that maps requests to the context's service. */
export type MandatePlugin = FastifyPluginAsyncTypebox<{ runtime: Runtime }>;
