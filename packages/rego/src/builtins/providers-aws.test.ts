import { describe, expect, it } from 'vitest';
import { RObject, numberFromText, parseJSON, toJSON, type Value } from '../value.js';
import { BuiltinTypeError } from './registry.js';
import { callBuiltin } from './testing.js';
import './providers-aws.js';

const obj = (x: unknown) => parseJSON(JSON.stringify(x)) as RObject;
const config = { aws_access_key: 'MYAWSACCESSKEYGOESHERE', aws_secret_access_key: 'MYAWSSECRETACCESSKEYGOESHERE', aws_service: 's3', aws_region: 'us-east-1' };
const at = numberFromText('1451311705000000000');
const sign = (req: unknown, cfg: unknown = config, t: Value = at) => JSON.parse(toJSON(callBuiltin('providers.aws.sign_req', [obj(req), obj(cfg), t]) as Value));

// Expected signatures from OPA's own test cases for this builtin.
describe('providers.aws.sign_req', () => {
  it('signs an S3 request without a body', () => {
    expect(sign({ method: 'get', url: 'http://example.com' }).headers).toEqual({
      Authorization: 'AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3',
      host: 'example.com',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20151228T140825Z',
    });
  });
  it('signs request headers and can leave the payload unsigned', () => {
    const out = sign({ method: 'get', url: 'https://example.com', headers: { foo: 'bar' } }, { ...config, disable_payload_signing: true });
    expect(out.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(out.headers.Authorization).toContain('SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028');
  });
  it('rejects incomplete configuration and requests with OPA messages', () => {
    expect(() => sign({}, config)).toThrow(new BuiltinTypeError('operand 1 missing required request parameters(s): {"method", "url"}'));
    expect(() => sign({ method: 'get', url: 'x' }, { example: 1 })).toThrow('operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"}');
    expect(() => sign({ method: 'get', url: 'x' }, config, -1)).toThrow('operand 3 could not convert time_ns value into a unix timestamp');
  });
});
