import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpenApiV3 } from './openapi.js';
import { ResourceRegistry } from './resources.js';

describe('OpenAPI v3 documents', () => {
  const api = new OpenApiV3(new ResourceRegistry());

  it('indexes a document per group-version with a content hash', () => {
    const index = api.index() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(index.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['apis/apps/v1', 'apis/batch/v1', 'apis/events.k8s.io/v1']));
    expect(api.document('apis/nope/v1')).toBeUndefined();
  });

  it('holds the kinds\' schemas and GET operations tagged with their kind, and no PATCH operation', () => {
    const doc = JSON.parse(api.document('apis/apps/v1')!);
    expect(doc.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    // referenced definitions come along (PodSpec from core, ObjectMeta from meta)
    expect(doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers.type).toBe('array');
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].get['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(Object.values(doc.paths).some((p: any) => p.patch)).toBe(false);
    const core = JSON.parse(api.document('api/v1')!);
    expect(core.paths['/api/v1/nodes/{name}'].get['x-kubernetes-group-version-kind'].kind).toBe('Node');
  });

  it('the committed schemas are what the generator makes from the installed kubernetes-types', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdp-openapi-'));
    try {
      execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'gen-openapi-schemas.js'), '--out', join(dir, 's.json')], { stdio: 'ignore' });
      expect(readFileSync(join(dir, 's.json'), 'utf8')).toBe(readFileSync(join(import.meta.dirname, 'openapi', 'schemas.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
