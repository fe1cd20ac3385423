// kdp's kube-proxy: Services + EndpointSlices → listeners on ClusterIP:port that balance over ready
// endpoints. See README.md.
export { startKubeProxy, type KubeProxy, type KubeProxyOptions } from './kube-proxy.js';
export type { Dataplane, DataplaneSyncResult, FrontendFailure } from './dataplane.js';
export { computeRoutingTable, type Frontend, type RoutingTable, type ServicePortInfo, type RoutedEndpoint } from './routing-table.js';
export { UserspaceDataplane, type UserspaceDataplaneOptions } from './userspace/userspace-dataplane.js';
export { NftablesDataplane, NftablesUnavailableError, type NftablesDataplaneOptions } from './nftables/nftables-dataplane.js';
export { chooseDataplane, isProxyMode, PROXY_MODES, type ProxyMode } from './proxy-mode.js';
export { parseTableList, tableOwner } from './nftables/ruleset.js';
