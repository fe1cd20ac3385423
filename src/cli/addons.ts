// `kdp addons list|enable|disable ingress-nginx|gateway-api`, as minikube's addons verb: enable applies the
// objects the project carries (src/ingress/addon/), the same set as ingress-nginx's deploy.yaml;
// disable deletes them (namespace last); list shows whether each addon is enabled.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { applyOne, forEachDoc } from './apply.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, resourcePath } from './discovery.js';
import { ApiStatusError, CliError, isNotFound } from './errors.js';
import { targetOf } from './manifest-target.js';

interface Addon {
  name: string;
  description: string;
  manifests(): KObject[];
  /** The object whose presence means "enabled". */
  marker: { path: string };
}

async function addons(): Promise<Addon[]> {
  const { ADDON_NAME, addonManifests } = await import('../ingress/index.js');
  const { GATEWAY_ADDON_NAME, GATEWAY_API_VERSION, gatewayAddonManifests } = await import('../gateway/index.js');
  return [
    { name: ADDON_NAME, description: "kdp's ingress-nginx controller (registry.k8s.io/ingress-nginx/controller)", manifests: addonManifests, marker: { path: '/apis/apps/v1/namespaces/ingress-nginx/deployments/ingress-nginx-controller' } },
    { name: GATEWAY_ADDON_NAME, description: `Gateway API ${GATEWAY_API_VERSION} CRDs (standard channel) and the GatewayClass kdp`, manifests: gatewayAddonManifests, marker: { path: '/apis/gateway.networking.k8s.io/v1/gatewayclasses/kdp' } },
  ];
}

async function find(name: string): Promise<Addon> {
  const all = await addons();
  const a = all.find((x) => x.name === name || (name === 'ingress' && x.name === 'ingress-nginx'));
  if (!a) throw new CliError(`Exiting due to MK_ADDON_ENABLE: run callbacks: ${name} is not a valid addon (valid: ${all.map((x) => x.name).join(', ')})`);
  return a;
}

async function enabled(ctx: Ctx, a: Addon): Promise<boolean> {
  try {
    await ctx.client.get(a.marker.path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function runAddonsEnable(ctx: Ctx, name: string): Promise<number> {
  const a = await find(name);
  const docs = a.manifests().map((object) => ({ source: `addon ${a.name}`, object }));
  const code = await forEachDoc(ctx, docs, applyOne);
  if (code === 0) ctx.out(`The '${a.name}' addon is enabled\n`);
  return code;
}

export async function runAddonsDisable(ctx: Ctx, name: string): Promise<number> {
  const a = await find(name);
  let failed = 0;
  for (const obj of a.manifests().reverse()) {
    const t = await targetOf(ctx, obj);
    try {
      await ctx.client.request('DELETE', resourcePath(t.resource, t.namespace, t.name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
      ctx.out(`${kindName(t.resource)} "${t.name}" deleted\n`);
    } catch (err) {
      if (isNotFound(err)) continue;
      failed++;
      if (err instanceof ApiStatusError) ctx.err(`${err.format()}\n`);
      else throw err;
    }
  }
  if (!failed) ctx.out(`The '${a.name}' addon is disabled\n`);
  return failed ? 1 : 0;
}

export async function runAddonsList(ctx: Ctx): Promise<number> {
  const rows = [['ADDON NAME', 'STATUS', 'DESCRIPTION']];
  for (const a of await addons()) rows.push([a.name, (await enabled(ctx, a)) ? 'enabled' : 'disabled', a.description]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) ctx.out(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i] + 3))).join('')}\n`);
  return 0;
}

export function registerAddons(program: Command, io: CliIO): void {
  const cmd = program.command('addons').description('Enable or disable a kdp addon (as minikube addons)');
  withGlobalFlags(cmd.command('list')).description('Lists all available addons with their status').action(action(io, (ctx) => runAddonsList(ctx)));
  withGlobalFlags(cmd.command('enable <name>')).description('Enables the addon: applies its objects').action(action(io, (ctx, name: string) => runAddonsEnable(ctx, name)));
  withGlobalFlags(cmd.command('disable <name>')).description('Disables the addon: deletes its objects').action(action(io, (ctx, name: string) => runAddonsDisable(ctx, name)));
}
