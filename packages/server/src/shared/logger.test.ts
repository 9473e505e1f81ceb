import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.js';

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
    expect(output).toContain('[redacted]');
    for (const secret of ['SECRET1', 'PROOF2', 'SECRET3', 'SECRET4', 'SECRET5', 'SECRET6']) expect(output).not.toContain(secret);
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
  });
});
