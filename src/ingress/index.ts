// kdp's ingress-nginx: Ingress + IngressClass + Services + EndpointSlices + Secrets → HTTP(S)
// routing. See README.md.
export { startIngressController, FAKE_CERTIFICATE, type IngressController, type IngressControllerOptions } from './controller.js';
export { buildRouteTable, route, matchServer, matchLocation, type RouteTable, type Server, type Location } from './route-table.js';
export { UpstreamResolver, type Upstream, type BackendRef } from './upstreams.js';
export { classFilter, DEFAULT_CLASS_OPTIONS, type ClassOptions } from './ingress-class.js';
export { createCertificateAuthority, signedCertificate, selfSignedCertificate, type KeyPairPem, type CertificateAuthority } from './certificates.js';
export { normalizePath, rewriteTarget, splitTarget } from './uri.js';
export { ADDON_NAME, addonManifests } from './addon/ingress-nginx.js';
export { ingressNginxControllerImage, webhookCertgenImage } from './image.js';
