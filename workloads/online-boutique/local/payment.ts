// paymentservice: validates a credit card (Luhn checksum, Visa or MasterCard only, not expired) and "charges" it by
// returning a fresh transaction id. No money moves; the checks are what give the service its behaviour.
import { randomUUID } from 'node:crypto';
import type { CreditCardInfo, Money } from './api.ts';
import { GrpcError, Status, listenPort, serve } from './grpc.ts';
import { format, isValid } from './money.ts';

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    total += d;
  }
  return total % 10 === 0;
}

export type CardType = 'visa' | 'mastercard' | 'other';

export function cardType(digits: string): CardType {
  if (/^4(\d{12}|\d{15}|\d{18})$/.test(digits)) return 'visa';
  const prefix4 = Number(digits.slice(0, 4));
  if (digits.length === 16 && (/^5[1-5]/.test(digits) || (prefix4 >= 2221 && prefix4 <= 2720))) return 'mastercard';
  return 'other';
}

/** Throws INVALID_ARGUMENT naming what is wrong; returns normally for an acceptable card. */
export function validateCard(card: CreditCardInfo, now = new Date()): void {
  const digits = card.credit_card_number.replace(/[\s-]/g, '');
  if (!luhnValid(digits)) throw new GrpcError(Status.INVALID_ARGUMENT, 'Credit card info is invalid');
  if (cardType(digits) === 'other') {
    throw new GrpcError(Status.INVALID_ARGUMENT, 'Sorry, we cannot process this credit card. Only VISA or MasterCard is accepted.');
  }
  const { credit_card_expiration_year: year, credit_card_expiration_month: month } = card;
  if (month < 1 || month > 12) throw new GrpcError(Status.INVALID_ARGUMENT, `Expiration month ${month} is not 1–12`);
  const current = now.getFullYear() * 12 + (now.getMonth() + 1);
  if (current > year * 12 + month) {
    throw new GrpcError(Status.INVALID_ARGUMENT, `Your credit card (ending ${digits.slice(-4)}) expired on ${month}/${year}`);
  }
}

export function charge(amount: Money | null, card: CreditCardInfo | null): { transaction_id: string } {
  if (!card) throw new GrpcError(Status.INVALID_ARGUMENT, 'credit_card is required');
  if (!amount || !isValid(amount)) throw new GrpcError(Status.INVALID_ARGUMENT, 'amount is missing or invalid');
  validateCard(card);
  const transaction_id = randomUUID();
  console.log(`Transaction processed: ${cardType(card.credit_card_number.replace(/[\s-]/g, ''))} ending ${card.credit_card_number.slice(-4)} amount ${format(amount)} → ${transaction_id}`);
  return { transaction_id };
}

export async function start(): Promise<void> {
  await serve('PaymentService', { Charge: (req) => charge(req.amount, req.credit_card) }, { port: listenPort(50051) });
}
