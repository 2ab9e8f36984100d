// The Online Boutique user journey: upstream's Locust load generator (src/loadgenerator/locustfile.py) as weighted
// steps. Each virtual user keeps its own cookies (its shop_session-id is its cart), opens the home page once, then
// picks tasks by weight: index 1, setCurrency 2, browseProduct 10, addToCart 2, viewCart 3, checkout 1.
import type { Journey, JourneyRequest } from '../load/journey.ts';

export const PRODUCT_IDS = ['0PUK6V6EV0', '1YMWWN1N4O', '2ZYFJ3GM2N', '66VCHSJNUP', '6E92ZMYYFZ', '9SIQT8TOJO', 'L9ECAV7KIM', 'LS4PSXUNUM', 'OLJCESPC7Z'] as const;
export const JOURNEY_CURRENCIES = ['EUR', 'USD', 'JPY', 'CAD', 'GBP', 'TRY'] as const;
/** Public Visa test numbers: Luhn-valid, never real accounts. */
export const VISA_TEST_NUMBERS = ['4111111111111111', '4012888888881881', '4242424242424242', '4000056655665556', '4222222222222'] as const;

const viewProduct: JourneyRequest = { method: 'GET', path: '/product/{product}' };
const addToCart: JourneyRequest = { method: 'POST', path: '/cart', form: { product_id: '{product}', quantity: '{quantity}' } };

const cartParams = { product: { oneOf: PRODUCT_IDS }, quantity: { int: [1, 10] } } as const;

export const onlineBoutiqueJourney: Journey = {
  name: 'online-boutique-locust',
  cookies: true,
  onStart: { name: 'index', weight: 1, requests: [{ method: 'GET', path: '/' }] },
  steps: [
    { name: 'index', weight: 1, requests: [{ method: 'GET', path: '/' }] },
    {
      name: 'setCurrency',
      weight: 2,
      params: { currency: { oneOf: JOURNEY_CURRENCIES } },
      requests: [{ method: 'POST', path: '/setCurrency', form: { currency_code: '{currency}' } }],
    },
    { name: 'browseProduct', weight: 10, params: { product: { oneOf: PRODUCT_IDS } }, requests: [viewProduct] },
    { name: 'addToCart', weight: 2, params: cartParams, requests: [viewProduct, addToCart] },
    { name: 'viewCart', weight: 3, requests: [{ method: 'GET', path: '/cart' }] },
    {
      name: 'checkout',
      weight: 1,
      params: {
        ...cartParams,
        email: { oneOf: ['alice@example.com', 'bob@example.org', 'carol@example.net', 'dave@example.com'] },
        street: { oneOf: ['1600 Amphitheatre Parkway', '221B Baker Street', '742 Evergreen Terrace', '12 Rue de Rivoli'] },
        zip: { int: [10000, 99999] },
        city: { oneOf: ['Mountain View', 'London', 'Springfield', 'Paris'] },
        state: { oneOf: ['CA', 'NY', 'OR', 'TX', 'WA'] },
        country: { oneOf: ['United States', 'United Kingdom', 'France', 'Germany'] },
        card: { oneOf: VISA_TEST_NUMBERS },
        month: { int: [1, 12] },
        // Locust: randint(now.year + 1, now.year + 71).
        year: { yearsFromNow: [1, 71] },
        cvv: { int: [100, 999] },
      },
      requests: [
        viewProduct,
        addToCart,
        {
          method: 'POST',
          path: '/cart/checkout',
          form: {
            email: '{email}',
            street_address: '{street}',
            zip_code: '{zip}',
            city: '{city}',
            state: '{state}',
            country: '{country}',
            credit_card_number: '{card}',
            credit_card_expiration_month: '{month}',
            credit_card_expiration_year: '{year}',
            credit_card_cvv: '{cvv}',
          },
          expect: [200],
        },
      ],
    },
  ],
};
