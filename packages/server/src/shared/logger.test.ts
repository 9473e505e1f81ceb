import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, nonBlockingDestination, redactUrl } from './logger.js';

describe('logger redaction', () => {
  it('never writes credentials, wherever they appear', () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ req: { headers: { authorization: 'Bearer mop_abc.SECRET1', dpop: 'PROOF2' } } }, 'request');
    logger.info({ body: { client_secret: 'SECRET3', token: 'SECRET4' }, client_secret: 'SECRET5' }, 'body');
    logger.info({ config: { masterKey: 'SECRET6' } }, 'config');
    // Two levels down, and the names of a people's-client grant.
    logger.info({ body: { refresh_token: 'SECRET9', code_verifier: 'SECRET10', nested: { client_secret: 'SECRET11' } } }, 'deep');
    logger.info({ err: { code: 'ECONNREFUSED' } }, 'error codes stay readable');
    expect(output).toContain('[redacted]');
    for (const secret of ['SECRET1', 'PROOF2', 'SECRET3', 'SECRET4', 'SECRET5', 'SECRET6', 'SECRET9', 'SECRET10', 'SECRET11']) expect(output).not.toContain(secret);
    expect(output).toContain('ECONNREFUSED');
  });

  it('censors credentials sent in a request URL', () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    createLogger('info', sink).info({ req: { method: 'GET', url: '/oauth2/revocations?client_secret=SECRET7&wait=5&token=SECRET8' } }, 'incoming request');
    expect(output).not.toMatch(/SECRET7|SECRET8/);
    expect(output).toContain('/oauth2/revocations?client_secret=[redacted]&wait=5&token=[redacted]');
    expect(redactUrl('/v1/agents?limit=3')).toBe('/v1/agents?limit=3');
    // An upstream IdP's answer: its code and state are credentials for a few minutes.
    expect(redactUrl('/signin/callback?code=UPSTREAM1&state=STATE2&iss=https%3A%2F%2Fidp')).toBe('/signin/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp');
  });
});

describe('the stdout destination', () => {
  /** A pipe whose reader we control: `queued` is what it has not taken yet (Node's writableLength). */
  const pipe = () => {
    const lines: string[] = [];
    const listeners: Array<() => void> = [];
    const fake = {
      writableLength: 0,
      write(text: string) {
        lines.push(text);
        fake.writableLength += text.length;
        return true;
      },
      on(_event: string, listener: () => void) {
        listeners.push(listener);
        return fake;
      },
      fail: () => listeners.forEach((listener) => listener()),
    };
    return { fake, lines, stream: fake as unknown as NodeJS.WritableStream & { writableLength: number } };
  };
  const line = `${'x'.repeat(99)}\n`;

  it('drops lines instead of queueing without end when nobody reads, and says how many once the reader catches up', () => {
    const { fake, lines, stream } = pipe();
    const destination = nonBlockingDestination(stream, 1_000);
    for (let i = 0; i < 50; i += 1) destination.write(line);
    expect(lines.length).toBe(10);
    expect(fake.writableLength).toBe(1_000);
    expect(destination.dropped).toBe(40);

    fake.writableLength = 0; // the reader took everything
    destination.write('next\n');
    expect(destination.dropped).toBe(0);
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ level: 40, dropped: 40, service: 'mandate' });
    expect(lines.at(-1)).toBe('next\n');
  });

  it('stops writing when the output is gone instead of failing the process', () => {
    const { fake, lines, stream } = pipe();
    const destination = nonBlockingDestination(stream, 1_000);
    fake.fail(); // EPIPE: the reader died
    destination.write(line);
    expect(lines).toEqual([]);
  });

  it('is what a logger writes to unless told otherwise', () => {
    const { lines, stream } = pipe();
    createLogger('info', nonBlockingDestination(stream)).info('hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'hello', service: 'mandate' });
  });
});
