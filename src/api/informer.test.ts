// Informer indexes against a real in-process store: they follow adds, updates and deletes.
import { describe, expect, it } from 'vitest';
import { Informer } from './informer.js';
import { ObjectStore } from './store.js';
import { GR, type KObject } from './types.js';

const tick = () => new Promise((r) => setImmediate(r));

function cm(name: string, namespace: string, color?: string): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(color ? { labels: { color } } : {}) } };
}

function setup(): { store: ObjectStore; inf: Informer } {
  const store = new ObjectStore();
  for (const name of ['a', 'b']) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return { store, inf: new Informer(store, GR.configmaps) };
}

const byColor = (o: KObject) => (o.metadata.labels?.color ? [o.metadata.labels.color] : []);
const names = (objs: KObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('Informer indexes', () => {
  it('index objects cached before and after addIndex, and follow updates and deletes', async () => {
    const { store, inf } = setup();
    store.create(GR.configmaps, cm('x', 'a', 'red'));
    inf.start();
    inf.addIndex('color', byColor);
    store.create(GR.configmaps, cm('y', 'b', 'red'));
    store.create(GR.configmaps, cm('z', 'a'));
    await tick();
    expect(names(inf.byIndex('color', 'red'))).toEqual(['a/x', 'b/y']);
    expect(inf.indexCount('color', 'red')).toBe(2);

    const x = structuredClone(store.get(GR.configmaps, 'a', 'x'));
    x.metadata.labels = { color: 'blue' };
    store.update(GR.configmaps, x);
    const z = structuredClone(store.get(GR.configmaps, 'a', 'z'));
    z.metadata.labels = { color: 'red' };
    store.update(GR.configmaps, z);
    await tick();
    expect(names(inf.byIndex('color', 'red'))).toEqual(['b/y', 'a/z']);
    expect(names(inf.byIndex('color', 'blue'))).toEqual(['a/x']);
    expect(inf.byIndex('color', 'blue')[0].metadata.labels).toEqual({ color: 'blue' });

    store.delete(GR.configmaps, 'b', 'y');
    await tick();
    expect(names(inf.byIndex('color', 'red'))).toEqual(['a/z']);
    expect(inf.indexCount('color', 'green')).toBe(0);
    expect(inf.byIndex('color', 'green')).toEqual([]);
    inf.stop();
  });

  it('lists a namespace in cache order through its namespace index', async () => {
    const { store, inf } = setup();
    inf.start();
    for (const [n, ns] of [['m', 'a'], ['k', 'b'], ['c', 'a'], ['q', 'a']]) store.create(GR.configmaps, cm(n, ns));
    await tick();
    store.delete(GR.configmaps, 'a', 'm');
    store.create(GR.configmaps, cm('m', 'a'));
    await tick();
    expect(names(inf.list('a'))).toEqual(['a/c', 'a/q', 'a/m']);
    expect(names(inf.list('b'))).toEqual(['b/k']);
    expect(names(inf.list())).toEqual(['b/k', 'a/c', 'a/q', 'a/m']);
    inf.stop();
  });

  it('shares an index added twice with the same function, refuses another function under its name', () => {
    const { inf } = setup();
    inf.addIndex('color', byColor);
    expect(() => inf.addIndex('color', byColor)).not.toThrow();
    expect(() => inf.addIndex('color', () => [])).toThrow(/already exists/);
    expect(() => inf.byIndex('nope', 'x')).toThrow(/no index "nope"/);
  });
});
