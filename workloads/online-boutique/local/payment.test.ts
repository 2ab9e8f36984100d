import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cardType, charge, luhnValid, validateCard } from './payment.ts';
import { VISA_TEST_NUMBERS } from '../journey.ts';

const card = (credit_card_number: string, year = new Date().getFullYear() + 1, month = 1) => ({
  credit_card_number,
  credit_card_cvv: 123,
  credit_card_expiration_year: year,
  credit_card_expiration_month: month,
});
const usd = { currency_code: 'USD', units: 10, nanos: 0 };
const invalid = (pattern: RegExp) => (e: unknown) => (e as { code: number }).code === 3 && pattern.test((e as Error).message);

test('Luhn checksum', () => {
  assert.ok(luhnValid('4111111111111111'));
  assert.ok(luhnValid('5555555555554444'));
  assert.ok(!luhnValid('4111111111111112'));
  assert.ok(!luhnValid('12345'));
  assert.ok(!luhnValid('4111-1111-1111-1111'));
});

test('card types: Visa and MasterCard (51–55 and 2221–2720) recognised, others not', () => {
  assert.equal(cardType('4111111111111111'), 'visa');
  assert.equal(cardType('4222222222222'), 'visa');
  assert.equal(cardType('5555555555554444'), 'mastercard');
  assert.equal(cardType('2223003122003222'), 'mastercard');
  assert.equal(cardType('378282246310005'), 'other'); // American Express
  assert.equal(cardType('6011111111111117'), 'other'); // Discover
});

test('accepts Visa and MasterCard, rejects other brands, bad checksums and expired cards', () => {
  const now = new Date(2026, 10, 27); // November 2026
  assert.doesNotThrow(() => validateCard(card('4111111111111111', 2026, 11), now)); // expires this month: still valid
  assert.doesNotThrow(() => validateCard(card('5555-5555-5555-4444', 2030, 1), now));
  assert.throws(() => validateCard(card('4111111111111111', 2026, 10), now), invalid(/expired on 10\/2026/));
  assert.throws(() => validateCard(card('4111111111111111', 2025, 12), now), invalid(/ending 1111/));
  assert.throws(() => validateCard(card('378282246310005', 2030, 1), now), invalid(/Only VISA or MasterCard/));
  assert.throws(() => validateCard(card('4111111111111112', 2030, 1), now), invalid(/invalid/));
});

test('charge returns a fresh UUID transaction id', () => {
  const a = charge(usd, card('4111111111111111'));
  const b = charge(usd, card('4111111111111111'));
  assert.match(a.transaction_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.transaction_id, b.transaction_id);
  assert.throws(() => charge(usd, null), invalid(/credit_card/));
});

test("the journey's Visa test numbers and the cart page's default card pass validation", () => {
  for (const n of [...VISA_TEST_NUMBERS, '4432801561520454']) {
    assert.doesNotThrow(() => validateCard(card(n)), n);
    assert.equal(cardType(n), 'visa', n);
  }
});
