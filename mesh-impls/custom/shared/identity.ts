// SPIFFE ids and their forms, without any dependency (the proxy bundle stays small).
export function spiffeId(trustDomain: string, ns: string, sa: string): string {
  return `spiffe://${trustDomain}/ns/${ns}/sa/${sa}`;
}

/** The TLS server name a proxy presents in SNI for a peer: a DNS-shaped form of the SPIFFE id (SNI cannot hold a URI). */
export function serverNameOf(id: string): string {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  if (!m) throw new Error(`Not a workload SPIFFE id: ${id}`);
  return `${m[3]}.${m[2]}.id.${m[1]}`;
}

/** The SPIFFE id in a peer certificate's URI SAN (Node's `subjectaltname` string), or undefined. */
export function idFromSan(subjectaltname: string | undefined): string | undefined {
  if (!subjectaltname) return undefined;
  for (const part of subjectaltname.split(', ')) if (part.startsWith('URI:spiffe://')) return part.slice(4);
  return undefined;
}

export const serviceAccountOf = (id: string): string => id.slice(id.lastIndexOf('/sa/') + 4);
