// Which Ingresses this controller serves, as ingress-nginx decides with its defaults
// (--controller-class=k8s.io/ingress-nginx, --ingress-class=nginx):
// - spec.ingressClassName names an IngressClass whose spec.controller is ours (or, when no such
//   IngressClass object exists at all, names our --ingress-class);
// - else the deprecated annotation kubernetes.io/ingress.class equals our --ingress-class;
// - else (no class at all) one of our IngressClasses is marked
//   ingressclass.kubernetes.io/is-default-class: "true", or --watch-ingress-without-class is set.
import type { KObject } from '../api/types.js';

export const DEFAULT_CONTROLLER_CLASS = 'k8s.io/ingress-nginx';
export const DEFAULT_INGRESS_CLASS = 'nginx';
const IS_DEFAULT = 'ingressclass.kubernetes.io/is-default-class';

export interface ClassOptions {
  controllerClass: string;
  ingressClass: string;
  watchWithoutClass: boolean;
}

export const DEFAULT_CLASS_OPTIONS: ClassOptions = { controllerClass: DEFAULT_CONTROLLER_CLASS, ingressClass: DEFAULT_INGRESS_CLASS, watchWithoutClass: false };

export type ClassFilter = (ing: KObject) => boolean;

export function classFilter(classes: readonly KObject[], opts: ClassOptions = DEFAULT_CLASS_OPTIONS): ClassFilter {
  const byName = new Map(classes.map((c) => [c.metadata.name, c]));
  const ours = classes.filter((c) => c.spec?.controller === opts.controllerClass);
  const hasDefault = ours.some((c) => c.metadata.annotations?.[IS_DEFAULT] === 'true');
  return (ing) => {
    const name: string | undefined = ing.spec?.ingressClassName;
    if (name) {
      const cls = byName.get(name);
      if (cls) return cls.spec?.controller === opts.controllerClass;
      return name === opts.ingressClass;
    }
    const annotation = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
    if (annotation !== undefined) return annotation === opts.ingressClass;
    return hasDefault || opts.watchWithoutClass;
  };
}
