import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { parseAnnotations, parseSize } from './annotations.js';
import { classFilter } from './ingress-class.js';

const cls = (name: string, controller: string, isDefault = false): KObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined }, spec: { controller } });
const ing = (className?: string, annotation?: string): KObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default', annotations: annotation ? { 'kubernetes.io/ingress.class': annotation } : undefined }, spec: { ingressClassName: className } });

describe('classFilter', () => {
  it('serves ingressClassName naming an IngressClass of ours, not of another controller', () => {
    const f = classFilter([cls('nginx', 'k8s.io/ingress-nginx'), cls('traefik', 'traefik.io/ingress-controller')]);
    expect(f(ing('nginx'))).toBe(true);
    expect(f(ing('traefik'))).toBe(false);
    expect(f(ing('no-such-class'))).toBe(false);
  });
  it('serves --ingress-class by name when no IngressClass object exists, and the deprecated annotation', () => {
    const f = classFilter([]);
    expect(f(ing('nginx'))).toBe(true);
    expect(f(ing(undefined, 'nginx'))).toBe(true);
    expect(f(ing(undefined, 'other'))).toBe(false);
  });
  it('class-less Ingresses only with a default IngressClass of ours or --watch-ingress-without-class', () => {
    expect(classFilter([cls('nginx', 'k8s.io/ingress-nginx')])(ing())).toBe(false);
    expect(classFilter([cls('nginx', 'k8s.io/ingress-nginx', true)])(ing())).toBe(true);
    expect(classFilter([cls('other', 'example.com/other', true)])(ing())).toBe(false);
    expect(classFilter([], { controllerClass: 'k8s.io/ingress-nginx', ingressClass: 'nginx', watchWithoutClass: true })(ing())).toBe(true);
  });
});

describe('annotations', () => {
  it('parses nginx sizes; bad values fall back to the default', () => {
    expect(parseSize('1m', 0)).toBe(1048576);
    expect(parseSize('8k', 0)).toBe(8192);
    expect(parseSize('0', 5)).toBe(0);
    expect(parseSize('lots', 7)).toBe(7);
  });
  it('ignores unknown annotations and reads the known ones', () => {
    const c = parseAnnotations({ apiVersion: 'v1', kind: 'Ingress', metadata: { name: 'x', annotations: { 'nginx.ingress.kubernetes.io/whatever': 'x', 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '30', 'nginx.ingress.kubernetes.io/affinity': 'cookie', 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } } });
    expect(c.canary).toMatchObject({ weight: 30, weightTotal: 100 });
    expect(c.affinityCookie?.name).toBe('INGRESSCOOKIE');
    expect(c.sslRedirect).toBe(false);
    expect(c.proxyBodySize).toBe(1048576);
    expect(c.cors).toBeUndefined();
  });
});
