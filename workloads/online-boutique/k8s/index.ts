// Online Boutique on Kubernetes: the upstream release images and objects, rendered in code (see services.ts).
export { renderBoutique, boutiqueInfo, appProtocolFor, APP_LABEL, RUN_LABEL } from './render.ts';
export { SERVICES, RELEASE, REGISTRY } from './services.ts';
