// The frontend's HTML pages: home, product, cart (with the checkout form), order confirmation and errors.
import type { Ad, Address, Money, OrderResult, Product } from '../api.ts';
import { format } from '../money.ts';
import { html, type Markup } from './html.ts';

export interface Chrome {
  currencies: string[];
  currency: string;
  cartSize: number;
}

function page(title: string, chrome: Chrome | null, body: Markup): string {
  const currencyForm = chrome
    ? html`<form method="POST" action="/setCurrency" class="currency">
        <select name="currency_code" onchange="this.form.submit()" aria-label="Currency">
          ${chrome.currencies.map((c) => html`<option value="${c}" ${c === chrome.currency ? html`selected` : ''}>${c}</option>`)}
        </select><noscript><button type="submit">Set</button></noscript></form>
        <a href="/cart" class="cart-link">Cart (<span id="cart-size">${chrome.cartSize}</span>)</a>`
    : '';
  return `<!DOCTYPE html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} | Online Boutique</title><link rel="stylesheet" href="/static/styles.css"></head>
<body><header><a class="brand" href="/">Online Boutique</a>${currencyForm}</header>
<main>${body}</main><footer>meshbench's Online Boutique — demo shop, nothing is sold</footer></body></html>`}`;
}

export interface PricedProduct {
  product: Product;
  price: Money;
}

function adBlock(ad: Ad | null): Markup | string {
  return ad ? html`<aside class="ad">Advertisement: <a href="${ad.redirect_url}">${ad.text}</a></aside>` : '';
}

function productCard({ product, price }: PricedProduct): Markup {
  return html`<div class="card product-card" data-product-id="${product.id}"><a href="/product/${product.id}">
    <img src="${product.picture}" alt="${product.name}"><div class="name">${product.name}</div>
    <div class="price">${format(price)}</div></a></div>`;
}

export function homePage(chrome: Chrome, products: PricedProduct[], ad: Ad | null): string {
  return page(
    'Shop',
    chrome,
    html`<h1>Hot products</h1><div class="grid" id="products">${products.map(productCard)}</div>${adBlock(ad)}`,
  );
}

export function productPage(chrome: Chrome, item: PricedProduct, recommendations: Product[], ad: Ad | null): string {
  const { product, price } = item;
  const quantities = [1, 2, 3, 4, 5, 10];
  return page(
    product.name,
    chrome,
    html`<div class="product"><img src="${product.picture}" alt="${product.name}">
      <div><h1>${product.name}</h1><p class="price">${format(price)}</p><p>${product.description}</p>
      <form method="POST" action="/cart"><input type="hidden" name="product_id" value="${product.id}">
        <label>Quantity <select name="quantity">${quantities.map((q) => html`<option>${q}</option>`)}</select></label>
        <button type="submit" id="add-to-cart">Add to cart</button></form></div></div>
      ${recommendationsBlock(recommendations)}${adBlock(ad)}`,
  );
}

function recommendationsBlock(products: Product[]): Markup | string {
  if (products.length === 0) return '';
  return html`<h2>You may also like</h2><div class="grid recommendations">${products.map(
    (p) => html`<div class="card"><a href="/product/${p.id}"><img src="${p.picture}" alt="${p.name}"><div>${p.name}</div></a></div>`,
  )}</div>`;
}

export interface CartLine {
  product: Product;
  quantity: number;
  price: Money;
}

export function cartPage(chrome: Chrome, lines: CartLine[], shipping: Money, total: Money, recommendations: Product[], year: number): string {
  if (lines.length === 0) {
    return page('Cart', chrome, html`<h1>Your shopping cart is empty!</h1><p><a href="/">Continue shopping</a></p>${recommendationsBlock(recommendations)}`);
  }
  const years = [0, 1, 2, 3, 4].map((i) => year + i);
  const months = Array.from({ length: 12 }, (_, i) => i + 1);
  return page(
    'Cart',
    chrome,
    html`<h1>Cart (${chrome.cartSize})</h1>
      <table id="cart-items"><tr><th>Product</th><th>Quantity</th><th>Price</th></tr>
      ${lines.map((l) => html`<tr><td><a href="/product/${l.product.id}">${l.product.name}</a></td><td>${l.quantity}</td><td>${format(l.price)}</td></tr>`)}
      <tr><td>Shipping</td><td></td><td id="shipping">${format(shipping)}</td></tr>
      <tr><th>Total</th><th></th><th id="total">${format(total)}</th></tr></table>
      <form method="POST" action="/cart/empty"><button type="submit" id="empty-cart">Empty cart</button></form>
      <h2>Checkout</h2>
      <form method="POST" action="/cart/checkout" class="checkout">
        <label>E-mail address<input type="email" name="email" value="someone@example.com" required></label>
        <label>Street address<input name="street_address" value="1600 Amphitheatre Parkway" required></label>
        <label>Zip code<input name="zip_code" value="94043" inputmode="numeric" required></label>
        <label>City<input name="city" value="Mountain View" required></label>
        <label>State<input name="state" value="CA" required></label>
        <label>Country<input name="country" value="United States" required></label>
        <label>Credit card number<input name="credit_card_number" value="4432-8015-6152-0454" required></label>
        <label>CVV<input name="credit_card_cvv" value="672" inputmode="numeric" required></label>
        <label>Month<select name="credit_card_expiration_month">${months.map((m) => html`<option value="${m}">${m}</option>`)}</select></label>
        <label>Year<select name="credit_card_expiration_year">${years.map((y, i) => html`<option value="${y}" ${i === 1 ? html`selected` : ''}>${y}</option>`)}</select></label>
        <button type="submit" id="place-order">Place order</button>
      </form>${recommendationsBlock(recommendations)}`,
  );
}

export function orderPage(chrome: Chrome, order: OrderResult, total: Money, recommendations: Product[]): string {
  const a: Address = order.shipping_address;
  return page(
    'Order complete',
    chrome,
    html`<h1>Your order is complete!</h1>
      <p>We've sent you a confirmation email.</p>
      <table><tr><td>Confirmation #</td><td id="order-id">${order.order_id}</td></tr>
      <tr><td>Tracking #</td><td id="tracking-id">${order.shipping_tracking_id}</td></tr>
      <tr><td>Ship to</td><td>${a.street_address}, ${a.city}, ${a.state} ${a.zip_code}, ${a.country}</td></tr>
      <tr><td>Total paid</td><td id="total-paid">${format(total)}</td></tr></table>
      <p><a href="/">Continue shopping</a></p>${recommendationsBlock(recommendations)}`,
  );
}

export function errorPage(status: number, message: string, problems: string[] = []): string {
  return page(
    `Error ${status}`,
    null,
    html`<div class="error"><h1>Uh, oh! Something has failed (HTTP ${status}).</h1><p id="error-message">${message}</p>
      ${problems.length ? html`<ul>${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}</div><p><a href="/">Back to the shop</a></p>`,
  );
}
