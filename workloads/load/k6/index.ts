// What other modules need from k6 support: the script renderer, the pinned image, the run arguments and the parsers.
export { renderK6Script, k6ProtoFiles, SUMMARY_MARKER, type K6ScriptPlan } from './render.ts';
export { parseK6Ndjson, parseK6Summary, extractSummary, type K6ParseContext } from './parse.ts';
export { K6_VERSION, K6_IMAGE, K6_STOCK_IMAGE, K6_CUSTOM_IMAGE, K6_EXTENSIONS, XK6_IMAGE, renderDockerfile } from './versions.ts';
export { createK6Engine, k6Engine, k6RunArgs } from './runner.ts';
