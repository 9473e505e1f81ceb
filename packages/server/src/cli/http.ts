/**
 * The CLI's HTTP calls, on node:http (node:https for https URLs, loaded only then). Not the
 * global fetch: its first call loads Node's bundled undici, 30–60 ms of a command that takes
 * about 150 ms in all (docs/benchmarks.md, "CLI start-up").
 */
import type { IncomingMessage } from 'node:http';

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A response whose body is still to be read: as text, or streamed (it is an async iterable of chunks). */
export interface HttpResponse {
  status: number;
  statusText: string;
  ok: boolean;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
}

/** Sends one request; rejects only when no response arrives (bad URL, refused, reset). */
export async function send(url: string, request: HttpRequest = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const message = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = transport.request(target, { method: request.method ?? 'GET', headers: request.headers ?? {} }, resolve);
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
  const status = message.statusCode ?? 0;
  return {
    status,
    statusText: message.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    body: message,
    async text() {
      const chunks: Buffer[] = [];
      for await (const chunk of message) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
