// A user journey, declared once per workload as weighted steps. The built-in engine executes it and the k6 renderer
// turns the same object into a k6 script, so both tools drive identical traffic.

/** A value drawn when a step starts: a literal, one of a list, an integer in [lo, hi], or a year `lo`..`hi` years from now. */
export type JourneyValue = string | { oneOf: readonly string[] } | { int: readonly [number, number] } | { yearsFromNow: readonly [number, number] };

export interface JourneyRequest {
  method: 'GET' | 'POST';
  /** Path with `{param}` placeholders filled from the step's params. */
  path: string;
  /** urlencoded form body; values may hold `{param}` placeholders. */
  form?: Record<string, string>;
  /** Status codes that count as success (default: 200–399). */
  expect?: readonly number[];
  /** Makes this request a unary gRPC call instead: `method` 'POST' and `path` '/package.Service/Method' (the HTTP/2
   * path gRPC uses), sent in plaintext to the plan's base URL host:port. Success is gRPC status OK. */
  grpc?: JourneyGrpcCall;
}

export interface JourneyGrpcCall {
  /** Absolute path of the .proto file that defines the service. */
  protoFile: string;
  /** Request message as JSON (proto-loader field names, keepCase); string values may hold `{param}` placeholders. */
  message?: Record<string, unknown>;
}

export interface JourneyStep {
  /** Request kind: results are broken down by this name. */
  name: string;
  /** Relative weight among the steps (Locust task weight). */
  weight: number;
  /** Drawn once per execution of the step and shared by its requests. */
  params?: Record<string, JourneyValue>;
  /** Issued in order by one virtual user; each is one request on the load schedule. */
  requests: readonly JourneyRequest[];
}

export interface Journey {
  name: string;
  /** Run once by each new virtual user before its weighted steps (Locust on_start). */
  onStart?: JourneyStep;
  steps: readonly JourneyStep[];
  /** Each virtual user keeps its own cookie jar (session). */
  cookies: boolean;
}

/** A journey that hits one path: what `npm run load -- --url` uses. */
export function singleRequestJourney(path: string, method: 'GET' | 'POST' = 'GET'): Journey {
  return { name: 'single', cookies: false, steps: [{ name: `${method} ${path}`, weight: 1, requests: [{ method, path }] }] };
}
