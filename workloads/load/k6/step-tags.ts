// k6 names submetrics like `http_req_duration{phase:measure,step:home}`; a tag value holding `{ } , :` or spaces
// would break that name, so such step names are tagged by position instead. Renderer and parser share this map.
import type { Journey } from '../journey.ts';

export function stepTags(journey: Journey): Map<string, string> {
  const steps = journey.onStart ? [journey.onStart, ...journey.steps] : journey.steps;
  return new Map(steps.map((s, i) => [s.name, /^[A-Za-z0-9_.\-/]+$/.test(s.name) ? s.name : `step${i}`]));
}
