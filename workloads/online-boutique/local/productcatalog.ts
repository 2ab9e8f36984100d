// productcatalogservice: the 9-product catalog from data/products.json — list, get by id, and search by a
// case-insensitive substring of the name or description.
import { readFileSync } from 'node:fs';
import type { Product } from './api.ts';
import { GrpcError, Status, listenPort, serve } from './grpc.ts';

export function loadCatalog(): Product[] {
  const file = new URL('../data/products.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Product[];
}

export function findProduct(catalog: readonly Product[], id: string): Product {
  const product = catalog.find((p) => p.id === id);
  if (!product) throw new GrpcError(Status.NOT_FOUND, `no product with ID ${id}`);
  return product;
}

export function searchProducts(catalog: readonly Product[], query: string): Product[] {
  const q = query.toLowerCase();
  return catalog.filter((p) => p.name.toLowerCase().includes(q) || p.description.toLowerCase().includes(q));
}

export async function start(): Promise<void> {
  const catalog = loadCatalog();
  await serve(
    'ProductCatalogService',
    {
      ListProducts: () => ({ products: catalog }),
      GetProduct: (req) => findProduct(catalog, req.id),
      SearchProducts: (req) => ({ results: searchProducts(catalog, req.query) }),
    },
    { port: listenPort(3550) },
  );
}
