// kdp's Gateway API implementation: GatewayClass + Gateway + HTTPRoute + ReferenceGrant → listeners
// on LoadBalancer addresses. See README.md.
export { startGatewayController, GATEWAY_GR, type GatewayController, type GatewayControllerOptions } from './controller.js';
export { buildGatewayModel, selectListener, KDP_CONTROLLER_NAME, GATEWAY_GROUP, type GatewayModel, type PortGroup } from './route-table.js';
export { matchRequest } from './request-match.js';
export { GATEWAY_ADDON_NAME, GATEWAY_API_VERSION, gatewayAddonManifests } from './addon/gateway-api.js';
