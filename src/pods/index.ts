// The pod runtime (kdp's kubelet + container runtime). See README.md.
export { startPodRuntime, type PodRuntime, type PodRuntimeOptions } from './pod-runtime.js';
export { BUILTIN_IMAGES, ImageRegistry, imageId, parseImageRef, type BuiltinImage, type BuiltinContext, type BuiltinProcess, type ImageRef, type LogSink } from './images/registry.js';
export { startHttpListeners, type HttpListeners } from './images/http-listener.js';
export { resolvConf, hostsFile, podHostname } from './sandbox-files.js';
export { errorPage, errorStatusText } from './images/nginx-pages.js';
