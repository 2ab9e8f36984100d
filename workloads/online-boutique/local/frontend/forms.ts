// Form validation for the frontend's POST routes. Each parser returns the typed payload or the list of problems,
// which the server answers with 422.
import type { Address, CreditCardInfo } from '../api.ts';

/** The currencies the UI offers (upstream's whitelist); /setCurrency accepts only these. */
export const OFFERED_CURRENCIES = ['USD', 'EUR', 'CAD', 'JPY', 'GBP', 'TRY'] as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function intField(form: URLSearchParams, name: string, problems: string[], lo: number, hi: number): number {
  const raw = (form.get(name) ?? '').trim();
  const n = Number(raw);
  if (raw === '' || !/^-?\d+$/.test(raw)) problems.push(`${name} must be a whole number (got "${raw}")`);
  else if (n < lo || n > hi) problems.push(`${name} must be between ${lo} and ${hi} (got ${n})`);
  return n;
}

function textField(form: URLSearchParams, name: string, problems: string[], max: number): string {
  const value = (form.get(name) ?? '').trim();
  if (value === '') problems.push(`${name} is required`);
  else if (value.length > max) problems.push(`${name} must be at most ${max} characters`);
  return value;
}

const result = <T>(problems: string[], value: T): Parsed<T> => (problems.length ? { ok: false, problems } : { ok: true, value });

export function parseAddToCart(form: URLSearchParams): Parsed<{ productId: string; quantity: number }> {
  const problems: string[] = [];
  const productId = textField(form, 'product_id', problems, 64);
  const quantity = intField(form, 'quantity', problems, 1, 10);
  return result(problems, { productId, quantity });
}

export function parseSetCurrency(form: URLSearchParams): Parsed<string> {
  const code = (form.get('currency_code') ?? '').trim();
  const ok = (OFFERED_CURRENCIES as readonly string[]).includes(code);
  return result(ok ? [] : [`currency_code must be one of ${OFFERED_CURRENCIES.join(', ')} (got "${code}")`], code);
}

export interface CheckoutForm {
  email: string;
  address: Address;
  card: CreditCardInfo;
}

export function parseCheckout(form: URLSearchParams, now = new Date()): Parsed<CheckoutForm> {
  const problems: string[] = [];
  const email = textField(form, 'email', problems, 320);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push(`email "${email}" is not an e-mail address`);
  const address: Address = {
    street_address: textField(form, 'street_address', problems, 512),
    zip_code: intField(form, 'zip_code', problems, 0, 2_147_483_647),
    city: textField(form, 'city', problems, 128),
    state: textField(form, 'state', problems, 128),
    country: textField(form, 'country', problems, 128),
  };
  const number = (form.get('credit_card_number') ?? '').replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) problems.push('credit_card_number must be 12 to 19 digits');
  const year = now.getFullYear();
  const card: CreditCardInfo = {
    credit_card_number: number,
    credit_card_expiration_month: intField(form, 'credit_card_expiration_month', problems, 1, 12),
    credit_card_expiration_year: intField(form, 'credit_card_expiration_year', problems, year - 100, year + 100),
    credit_card_cvv: intField(form, 'credit_card_cvv', problems, 0, 9999),
  };
  return result(problems, { email, address, card });
}
