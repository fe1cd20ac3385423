// `kdp addons enable gateway-api`: the Gateway API v1.6.1 standard channel exactly as its release
// installs it (the CRDs and the ValidatingAdmissionPolicy, carried gzipped beside this file), and a
// GatewayClass `kdp` whose controllerName is kdp's gateway controller.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../api/types.js';
import { KDP_CONTROLLER_NAME } from '../route-table.js';

export const GATEWAY_ADDON_NAME = 'gateway-api';
export const GATEWAY_API_VERSION = 'v1.6.1';

/** From src/gateway/addon/ or dist/gateway/addon/ alike: the file stays in the source tree. */
const BUNDLE = new URL(`../../../src/gateway/addon/standard-install-${GATEWAY_API_VERSION}.yaml.gz`, import.meta.url);

export function standardInstall(): KObject[] {
  const text = gunzipSync(readFileSync(BUNDLE)).toString('utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as KObject).filter((o) => o && typeof o === 'object' && o.kind);
}

export function gatewayAddonManifests(): KObject[] {
  return [
    ...standardInstall(),
    {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass',
      metadata: { name: 'kdp' },
      spec: { controllerName: KDP_CONTROLLER_NAME, description: "kdp's built-in Gateway API implementation" },
    } as unknown as KObject,
  ];
}
