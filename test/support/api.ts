// An API server alone over a fresh store (plain HTTP, no authentication), for the integration tests
// that drive the REST API without a whole cluster.
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';

export async function startBareApi(serviceCidr: string, opts: Partial<ApiServerOptions> = {}): Promise<{ api: ApiServer; store: ObjectStore }> {
  const config = defaultConfig({ serviceCidr, upstreamDns: [], stateDir: '/nonexistent' });
  const store = new ObjectStore();
  registerStrategies(store, config);
  bootstrap(store, config);
  const api = await startApiServer({ store, host: '127.0.0.1', port: 0, ...opts });
  return { api, store };
}
