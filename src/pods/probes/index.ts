// Readiness, liveness and startup probes (httpGet, tcpSocket, exec; grpc as a TCP check). See ../README.md.
export { hasProbes, runContainerProbes, type ProbeCallbacks, type ProbeDeps } from './container-probes.js';
export { checkProbe, type CheckResult, type CheckTarget, type ExecResult } from './probe-check.js';
export { probeContainerRun, type ProbedContainer } from './runner-probes.js';
export { probeTiming, ProbeState, type ProbeKind, type ProbeTiming } from './probe-state.js';
