// The hipstershop messages and services as TypeScript types, matching demo.proto as @grpc/proto-loader decodes it
// (snake_case field names, int64 as number, defaults filled in).

export interface Money {
  currency_code: string;
  units: number;
  nanos: number;
}
export interface CartItem {
  product_id: string;
  quantity: number;
}
export interface Cart {
  user_id: string;
  items: CartItem[];
}
export interface Product {
  id: string;
  name: string;
  description: string;
  picture: string;
  price_usd: Money;
  categories: string[];
}
export interface Address {
  street_address: string;
  city: string;
  state: string;
  country: string;
  zip_code: number;
}
export interface CreditCardInfo {
  credit_card_number: string;
  credit_card_cvv: number;
  credit_card_expiration_year: number;
  credit_card_expiration_month: number;
}
export interface OrderItem {
  item: CartItem;
  cost: Money;
}
export interface OrderResult {
  order_id: string;
  shipping_tracking_id: string;
  shipping_cost: Money;
  shipping_address: Address;
  items: OrderItem[];
}
export interface Ad {
  redirect_url: string;
  text: string;
}
export type Empty = Record<string, never>;

/** Every service as a map of method name → [request, response]. */
export interface Api {
  CartService: {
    AddItem: [{ user_id: string; item: CartItem }, Empty];
    GetCart: [{ user_id: string }, Cart];
    EmptyCart: [{ user_id: string }, Empty];
  };
  RecommendationService: {
    ListRecommendations: [{ user_id: string; product_ids: string[] }, { product_ids: string[] }];
  };
  ProductCatalogService: {
    ListProducts: [{ language?: string }, { products: Product[] }];
    GetProduct: [{ id: string; language?: string }, Product];
    SearchProducts: [{ query: string }, { results: Product[] }];
  };
  ShippingService: {
    GetQuote: [{ address: Address | null; items: CartItem[] }, { cost_usd: Money }];
    ShipOrder: [{ address: Address | null; items: CartItem[] }, { tracking_id: string }];
  };
  CurrencyService: {
    GetSupportedCurrencies: [Empty, { currency_codes: string[] }];
    Convert: [{ from: Money | null; to_code: string }, Money];
  };
  PaymentService: {
    Charge: [{ amount: Money | null; credit_card: CreditCardInfo | null }, { transaction_id: string }];
  };
  EmailService: {
    SendOrderConfirmation: [{ email: string; order: OrderResult | null }, Empty];
  };
  CheckoutService: {
    PlaceOrder: [
      { user_id: string; user_currency: string; address: Address | null; email: string; credit_card: CreditCardInfo | null },
      { order: OrderResult },
    ];
  };
  AdService: {
    GetAds: [{ context_keys: string[] }, { ads: Ad[] }];
  };
}

export type ServiceName = keyof Api;
type Req<S extends ServiceName, M extends keyof Api[S]> = Api[S][M] extends [infer Q, unknown] ? Q : never;
type Res<S extends ServiceName, M extends keyof Api[S]> = Api[S][M] extends [unknown, infer R] ? R : never;

/** A peer as promises; `deadlineMs` bounds the call (default set by the client). */
export type Client<S extends ServiceName> = { [M in keyof Api[S]]: (req: Req<S, M>, deadlineMs?: number) => Promise<Res<S, M>> };
/** A service implementation: throw `GrpcError` to answer with a specific status. */
export type Handlers<S extends ServiceName> = { [M in keyof Api[S]]: (req: Req<S, M>) => Promise<Res<S, M>> | Res<S, M> };
