import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from './detect.ts';

test('classify tells TLS, HTTP/2, HTTP/1 and opaque apart, and waits when unsure', () => {
  assert.equal(classify(Buffer.from([0x16, 0x03, 0x01, 0x02])), 'tls');
  assert.equal(classify(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), 'h2');
  assert.equal(classify(Buffer.from('PRI * HTTP')), undefined);
  assert.equal(classify(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
  assert.equal(classify(Buffer.from('POS')), undefined);
  assert.equal(classify(Buffer.from('*2\r\n$3\r\nGET\r\n')), 'opaque', 'redis RESP is opaque');
  assert.equal(classify(Buffer.from([0x16, 0x99])), 'opaque');
  assert.equal(classify(Buffer.from('GETX')), 'opaque');
});
