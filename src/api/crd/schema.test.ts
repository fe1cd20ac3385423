import { describe, expect, it } from 'vitest';
import { applyDefaults, prune, validate, type JSONSchemaProps } from './schema.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['parentRefs'],
      properties: {
        hostnames: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 10, pattern: '^[a-z.]+$' }, 'x-kubernetes-list-type': 'set' },
        parentRefs: {
          type: 'array',
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, kind: { type: 'string', default: 'Gateway' }, port: { type: 'integer', minimum: 1, maximum: 65535 } } },
        },
        rules: {
          type: 'array',
          default: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
          items: { type: 'object', properties: { matches: { type: 'array', items: { type: 'object', properties: { path: { type: 'object', properties: { type: { type: 'string', enum: ['Exact', 'PathPrefix'] }, value: { type: 'string' } } } } } } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        anything: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

describe('CRD structural schema', () => {
  it('prunes unknown fields but keeps metadata, additionalProperties and preserved subtrees', () => {
    const obj = { apiVersion: 'x/v1', kind: 'R', metadata: { name: 'a', labels: { x: 'y' } }, extra: 1, spec: { parentRefs: [{ name: 'g', bogus: true }], labels: { a: 'b' }, anything: { deep: { x: 1 } }, nope: 2 } };
    prune(obj, schema, true);
    expect(obj).toEqual({ apiVersion: 'x/v1', kind: 'R', metadata: { name: 'a', labels: { x: 'y' } }, spec: { parentRefs: [{ name: 'g' }], labels: { a: 'b' }, anything: { deep: { x: 1 } } } });
  });

  it('fills defaults of absent fields, inside lists too, and leaves set fields alone', () => {
    const obj: any = { spec: { parentRefs: [{ name: 'g' }, { name: 'h', kind: 'Service' }] } };
    applyDefaults(obj, schema);
    expect(obj.spec.parentRefs).toEqual([{ name: 'g', kind: 'Gateway' }, { name: 'h', kind: 'Service' }]);
    expect(obj.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  });

  it('reports every violation with its field path, worded as the apiserver words them', () => {
    const causes = validate({ spec: { hostnames: ['UPPER', 'UPPER', 'waytoolong.example'], parentRefs: [{ name: '', port: 70000 }], rules: [{ matches: [{ path: { type: 'Bogus' } }] }] } }, schema);
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.hostnames: Too many: 3: must have at most 2 items',
      'spec.hostnames[1]: Duplicate value: "UPPER"',
      "spec.hostnames[0]: Invalid value: \"UPPER\": spec.hostnames[0] in body should match '^[a-z.]+$'",
      "spec.hostnames[1]: Invalid value: \"UPPER\": spec.hostnames[1] in body should match '^[a-z.]+$'",
      'spec.hostnames[2]: Too long: may not be more than 10 bytes',
      'spec.parentRefs[0].name: Invalid value: "": spec.parentRefs[0].name in body should be at least 1 chars long',
      'spec.parentRefs[0].port: Invalid value: 70000: spec.parentRefs[0].port in body should be less than or equal to 65535',
      'spec.rules[0].matches[0].path.type: Unsupported value: "Bogus": supported values: "Exact", "PathPrefix"',
    ]);
  });

  it('requires required fields and checks types', () => {
    expect(validate({ spec: { parentRefs: [{ port: 'x' }] } }, schema).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.parentRefs[0].name: Required value',
      'spec.parentRefs[0].port: Invalid value: "string": spec.parentRefs[0].port in body must be of type integer: "string"',
    ]);
    expect(validate({ spec: {} }, schema).map((c) => c.field)).toEqual(['spec.parentRefs']);
    expect(validate({ metadata: { name: 'x' }, spec: { parentRefs: [{ name: 'g', port: 80 }] } }, schema)).toEqual([]);
  });
});
