// emailservice: "sends" the order confirmation by logging it — no mail leaves the pod.
import { listenPort, serve } from './grpc.ts';

export async function start(): Promise<void> {
  await serve(
    'EmailService',
    {
      SendOrderConfirmation: (req) => {
        const order = req.order;
        console.log(`A request to send order confirmation email to ${req.email} has been received: order ${order?.order_id}, ${order?.items.length ?? 0} items, tracking ${order?.shipping_tracking_id}`);
        return {};
      },
    },
    { port: listenPort(8080) },
  );
}
