// The pod runtime (kdp's kubelet + container runtime). See README.md.
export { startPodRuntime, type PodRuntime, type PodRuntimeOptions } from './pod-runtime.js';
export { BUILTIN_IMAGES, ImageTable, imageId, parseImageRef, type ImageAdapter, type ImageContext, type ImageProcess, type ImageRef, type LogSink } from './images/image-table.js';
export { startHttpListeners, type HttpListeners } from './images/http-listener.js';
export { resolvConf, hostsFile, podHostname } from './sandbox-files.js';
export { CREATED_MOUNT_POINTS } from './sandbox.js';
export { removeEmpty as removeEmptyMountPoint } from './volumes/bind-mounts.js';
