import { describe, expect, it } from 'vitest';
import { setImages, splitImageArgs } from './set-image.js';

describe('kdp set image', () => {
  it('splits resources from CONTAINER=IMAGE pairs', () => {
    const { resources, images } = splitImageArgs(['deployment/web', 'web=nginx:1.26', 'sidecar=busybox']);
    expect(resources).toEqual(['deployment/web']);
    expect([...images]).toEqual([['web', 'nginx:1.26'], ['sidecar', 'busybox']]);
  });

  it('sets named containers (init ones too), * sets all, unknown names are reported', () => {
    const spec = { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] };
    expect(setImages(spec, new Map([['web', 'nginx:1.26']]))).toEqual([]);
    expect(spec.containers[0].image).toBe('nginx:1.26');
    expect(setImages(spec, new Map([['nope', 'x']]))).toEqual(['nope']);
    setImages(spec, new Map([['*', 'alpine']]));
    expect([...spec.initContainers, ...spec.containers].map((c) => c.image)).toEqual(['alpine', 'alpine', 'alpine']);
  });
});
