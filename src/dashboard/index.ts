// The dashboard: a loopback web page of the cluster's topology and traffic (issue 22).
export { startDashboard, type Dashboard, type DashboardOptions } from './server.js';
export { buildTopology, type Topology } from './topology.js';
