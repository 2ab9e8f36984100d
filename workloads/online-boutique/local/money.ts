// Money arithmetic on the hipstershop Money message (units + nanos of one currency), done in BigInt nanos so that
// sums and products are exact.
import type { Money } from './api.ts';

const NANOS_PER_UNIT = 1_000_000_000n;

export function toNanos(m: Money): bigint {
  return BigInt(m.units) * NANOS_PER_UNIT + BigInt(m.nanos);
}

/** Splits nanos into units and nanos that carry the same sign, as the Money contract requires. */
export function fromNanos(currency_code: string, total: bigint): Money {
  return { currency_code, units: Number(total / NANOS_PER_UNIT), nanos: Number(total % NANOS_PER_UNIT) };
}

export function zero(currency_code: string): Money {
  return { currency_code, units: 0, nanos: 0 };
}

export function sum(a: Money, b: Money): Money {
  if (a.currency_code !== b.currency_code) throw new Error(`cannot add ${a.currency_code} to ${b.currency_code}`);
  return fromNanos(a.currency_code, toNanos(a) + toNanos(b));
}

export function multiply(m: Money, n: number): Money {
  return fromNanos(m.currency_code, toNanos(m) * BigInt(n));
}

/** Checks the Money contract: nanos within ±999,999,999 and of the same sign as units. */
export function isValid(m: Money): boolean {
  if (!/^[A-Z]{3}$/.test(m.currency_code)) return false;
  if (!Number.isInteger(m.units) || !Number.isInteger(m.nanos) || Math.abs(m.nanos) > 999_999_999) return false;
  return !((m.units > 0 && m.nanos < 0) || (m.units < 0 && m.nanos > 0));
}

const SYMBOLS: Record<string, string> = { USD: '$', CAD: '$', JPY: '¥', EUR: '€', TRY: '₺', GBP: '£' };

/** "$19.99" — the frontend's rendering: symbol (or code), units, two decimals. */
export function format(m: Money): string {
  const symbol = SYMBOLS[m.currency_code] ?? `${m.currency_code} `;
  const sign = m.units < 0 || m.nanos < 0 ? '-' : '';
  const cents = Math.floor(Math.abs(m.nanos) / 10_000_000);
  return `${sign}${symbol}${Math.abs(m.units)}.${String(cents).padStart(2, '0')}`;
}
