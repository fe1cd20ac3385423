import { describe, expect, it } from 'vitest';
import { ObjectStore } from './store.js';
import { GR, type KObject } from './types.js';
import { createEventRecorder } from './events.js';

describe('EventRecorder', () => {
  it('records core Events, counts repeats, and expires old ones', () => {
    let t = Date.parse('2024-05-01T10:00:00Z');
    const store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const pod = store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } }) as KObject;
    const rec = createEventRecorder(store, 'default-scheduler', () => new Date(t), 60_000);
    rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/p to kdp-worker');
    t += 1000;
    rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/p to kdp-worker');
    const [ev] = store.list(GR.events).items;
    expect(ev).toMatchObject({
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: pod.metadata.uid },
      reason: 'Scheduled', type: 'Normal', count: 2, source: { component: 'default-scheduler' },
      firstTimestamp: '2024-05-01T10:00:00Z', lastTimestamp: '2024-05-01T10:00:01Z',
    });
    expect(ev.metadata.name).toMatch(/^p\.[0-9a-f]+$/);
    t += 120_000;
    rec.event(pod, 'Warning', 'Other', 'x');
    expect(store.list(GR.events).items.map((e) => e.reason)).toEqual(['Other']);
  });
});
