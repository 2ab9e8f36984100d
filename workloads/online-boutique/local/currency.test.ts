import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convert, loadRates, parseRates } from './currency.ts';
import { connect } from './grpc.ts';
import { Loopback, freePort, waitGrpc } from './loopback.ts';
import { GrpcError } from './grpc.ts';

const rates = loadRates();
const usd = (units: number, nanos = 0) => ({ currency_code: 'USD', units, nanos });

test('the data holds the 33 upstream currencies, EUR = 1 and USD = 1.1305', () => {
  assert.equal(rates.size, 33);
  for (const code of 'AUD BGN BRL CAD CHF CNY CZK DKK EUR GBP HKD HRK HUF IDR ILS INR ISK JPY KRW MXN MYR NOK NZD PHP PLN RON RUB SEK SGD THB TRY USD ZAR'.split(' ')) {
    assert.ok(rates.has(code), code);
  }
  assert.deepEqual(rates.get('USD'), { numerator: 11305n, scale: 10000n });
});

test('converts through EUR and truncates to whole nanos', () => {
  // 19.99 / 1.1305 = 17.682441397…
  assert.deepEqual(convert(rates, usd(19, 990_000_000), 'EUR'), { currency_code: 'EUR', units: 17, nanos: 682_441_397 });
  // EUR → USD is a plain multiplication.
  assert.deepEqual(convert(rates, { currency_code: 'EUR', units: 10, nanos: 0 }, 'USD'), { currency_code: 'USD', units: 11, nanos: 305_000_000 });
  // USD → JPY: 8.99 / 1.1305 * 126.40 = 1005.162317558…
  assert.deepEqual(convert(rates, usd(8, 990_000_000), 'JPY'), { currency_code: 'JPY', units: 1005, nanos: 162_317_558 });
  // Same currency is the identity; negative amounts keep one sign in units and nanos.
  assert.deepEqual(convert(rates, usd(5, 490_000_000), 'USD'), usd(5, 490_000_000));
  assert.deepEqual(convert(rates, usd(-1, -500_000_000), 'EUR'), { currency_code: 'EUR', units: -1, nanos: -326_846_528 });
});

test('rejects unknown currencies and malformed amounts with INVALID_ARGUMENT', () => {
  assert.throws(() => convert(rates, usd(1), 'XYZ'), (e: unknown) => e instanceof GrpcError && e.code === 3 && /XYZ/.test(e.message));
  assert.throws(() => convert(rates, usd(1, -5), 'EUR'), (e: unknown) => e instanceof GrpcError && e.code === 3);
  assert.throws(() => parseRates({ EUR: '1.0', usd: '1.1' }), /usd/);
  assert.throws(() => parseRates({ USD: '1.1' }), /EUR/);
});

test('currencyservice process answers Convert, GetSupportedCurrencies and health over gRPC', async () => {
  const lb = new Loopback();
  try {
    const port = await freePort();
    lb.service('currency', { PORT: String(port) });
    await waitGrpc(`127.0.0.1:${port}`);
    const client = connect('CurrencyService', `127.0.0.1:${port}`);
    const { currency_codes } = await client.GetSupportedCurrencies({});
    assert.equal(currency_codes.length, 33);
    assert.deepEqual(await client.Convert({ from: usd(19, 990_000_000), to_code: 'EUR' }), { currency_code: 'EUR', units: 17, nanos: 682_441_397 });
    await assert.rejects(client.Convert({ from: usd(1), to_code: 'XYZ' }), (e: { code: number }) => e.code === 3);
  } finally {
    await lb.stopAll();
  }
});
