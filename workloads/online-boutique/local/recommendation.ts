// recommendationservice: up to 5 products picked at random from the catalog (asked on every call, as upstream does),
// never one of the products the caller is already looking at.
import { randomInt } from 'node:crypto';
import { connect, env, listenPort, serve } from './grpc.ts';

export const MAX_RECOMMENDATIONS = 5;

export function pickRecommendations(allIds: readonly string[], exclude: readonly string[], max = MAX_RECOMMENDATIONS): string[] {
  const pool = allIds.filter((id) => !exclude.includes(id));
  // Partial Fisher–Yates: the first `max` slots end up a uniform random sample.
  for (let i = 0; i < Math.min(max, pool.length); i++) {
    const j = i + randomInt(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, max);
}

export async function start(): Promise<void> {
  const catalog = connect('ProductCatalogService', env('PRODUCT_CATALOG_SERVICE_ADDR', 'the address of productcatalogservice'));
  await serve(
    'RecommendationService',
    {
      ListRecommendations: async (req) => {
        const { products } = await catalog.ListProducts({});
        return { product_ids: pickRecommendations(products.map((p) => p.id), req.product_ids) };
      },
    },
    { port: listenPort(8080) },
  );
}
