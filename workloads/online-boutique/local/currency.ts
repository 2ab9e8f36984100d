// currencyservice: converts Money between the 33 supported currencies through EUR, with rates from data/currency.json
// (each rate is "units of this currency per 1 EUR"). Rates are parsed as exact decimals so a conversion is a rational
// multiplication truncated to whole nanos.
import { readFileSync } from 'node:fs';
import type { Money } from './api.ts';
import { GrpcError, Status, listenPort, serve } from './grpc.ts';
import { fromNanos, isValid, toNanos } from './money.ts';

/** A decimal rate as numerator / 10^scale. */
interface Rate {
  numerator: bigint;
  scale: bigint;
}

export type Rates = ReadonlyMap<string, Rate>;

export function parseRates(json: Record<string, string>): Rates {
  const rates = new Map<string, Rate>();
  for (const [code, text] of Object.entries(json)) {
    const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
    if (!/^[A-Z]{3}$/.test(code) || !match) throw new Error(`currency data: "${code}": "${text}" is not a 3-letter code with a decimal rate`);
    const fraction = match[2] ?? '';
    rates.set(code, { numerator: BigInt(match[1] + fraction), scale: 10n ** BigInt(fraction.length) });
  }
  const eur = rates.get('EUR');
  if (!eur || eur.numerator !== eur.scale) throw new Error('currency data: EUR must be present with rate 1.0');
  return rates;
}

export function loadRates(): Rates {
  const file = new URL('../data/currency.json', import.meta.url);
  return parseRates(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
}

function rateOf(rates: Rates, code: string): Rate {
  const rate = rates.get(code);
  if (!rate) throw new GrpcError(Status.INVALID_ARGUMENT, `unsupported currency "${code}"; supported: ${[...rates.keys()].join(' ')}`);
  return rate;
}

/** from → EUR (divide by the source rate) → to (multiply by the target rate), truncated to nanos. */
export function convert(rates: Rates, from: Money, toCode: string): Money {
  if (!isValid(from)) throw new GrpcError(Status.INVALID_ARGUMENT, `invalid amount ${JSON.stringify(from)}`);
  const src = rateOf(rates, from.currency_code);
  const dst = rateOf(rates, toCode);
  // amount / (src.numerator / src.scale) * (dst.numerator / dst.scale), kept as one exact fraction.
  const numerator = toNanos(from) * src.scale * dst.numerator;
  const denominator = src.numerator * dst.scale;
  return fromNanos(toCode, numerator / denominator);
}

export async function start(): Promise<void> {
  const rates = loadRates();
  const codes = [...rates.keys()];
  await serve(
    'CurrencyService',
    {
      GetSupportedCurrencies: () => ({ currency_codes: codes }),
      Convert: (req) => {
        if (!req.from) throw new GrpcError(Status.INVALID_ARGUMENT, 'from is required');
        return convert(rates, req.from, req.to_code);
      },
    },
    { port: listenPort(7000) },
  );
}
