"""The official Kubernetes Python client (Debian's python3-kubernetes) against a kdp cluster.

Usage: python3 python_client.py <kubeconfig> <scenario>. Each scenario drives the client the way its
documentation shows and prints one JSON object with what came back; clients-python.test.ts asserts
on it. Nothing here waits a fixed time: each step follows from what the previous one saw.
"""
import json
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

NS = 'default'


def out(obj):
    print(json.dumps(obj))
    sys.stdout.flush()


def api_error(fn):
    try:
        fn()
    except ApiException as e:
        body = json.loads(e.body) if e.body else {}
        return {'status': e.status, 'reason': body.get('reason'), 'message': body.get('message')}
    return None


def crud(v1):
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-cm', labels={'from': 'python'}), data={'a': '1'})
    created = v1.create_namespaced_config_map(NS, cm)
    duplicate = api_error(lambda: v1.create_namespaced_config_map(NS, cm))
    stale = v1.read_namespaced_config_map('py-cm', NS)
    patched = v1.patch_namespaced_config_map('py-cm', NS, {'data': {'b': '2'}})
    stale.data['a'] = 'stale'
    conflict = api_error(lambda: v1.replace_namespaced_config_map('py-cm', NS, stale))
    fresh = v1.read_namespaced_config_map('py-cm', NS)
    fresh.data['a'] = '10'
    replaced = v1.replace_namespaced_config_map('py-cm', NS, fresh)
    listed = v1.list_namespaced_config_map(NS, label_selector='from=python')
    deleted = v1.delete_namespaced_config_map('py-cm', NS)
    missing = api_error(lambda: v1.read_namespaced_config_map('py-cm', NS))
    out({
        'created': {'name': created.metadata.name, 'uid': bool(created.metadata.uid), 'rv': created.metadata.resource_version, 'data': created.data},
        'duplicate': duplicate,
        'patched': patched.data,
        'conflict': conflict,
        'replaced': replaced.data,
        'listed': [i.metadata.name for i in listed.items],
        'listRv': bool(listed.metadata.resource_version),
        'deleted': {'kind': type(deleted).__name__, 'status': getattr(deleted, 'status', None)},
        'missing': missing,
    })


def watching(v1):
    """Watch with timeout_seconds: the initial object, then the changes the loop itself makes."""
    v1.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-w1', labels={'w': 'py'})))
    events = []
    started = time.monotonic()
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_config_map, NS, label_selector='w=py', timeout_seconds=3):
        name = ev['object'].metadata.name
        events.append([ev['type'], name, ev['object'].metadata.resource_version])
        if ev['type'] == 'ADDED' and name == 'py-w1':
            v1.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name='py-w2', labels={'w': 'py'})))
        elif ev['type'] == 'ADDED' and name == 'py-w2':
            v1.patch_namespaced_config_map('py-w2', NS, {'data': {'k': 'v'}})
        elif ev['type'] == 'MODIFIED':
            v1.delete_namespaced_config_map('py-w2', NS)
    out({'events': events, 'seconds': time.monotonic() - started})


def wait_pod(v1, name, phases):
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_pod, NS, field_selector=f'metadata.name={name}', timeout_seconds=60):
        pod = ev['object']
        ready = any(c.type == 'Ready' and c.status == 'True' for c in (pod.status.conditions or []))
        if pod.status.phase in phases and (pod.status.phase != 'Running' or ready):
            w.stop()
            return pod
    raise RuntimeError(f'pod {name} did not reach {phases}')


def host_pod(name, script, **extra):
    container = client.V1Container(name='main', image='busybox', command=['sh', '-c', script], **extra)
    return client.V1Pod(metadata=client.V1ObjectMeta(name=name), spec=client.V1PodSpec(containers=[container], restart_policy='Never'))


def logs(v1):
    v1.create_namespaced_pod(NS, host_pod('py-logger', 'echo line 1; sleep 1; echo line 2; echo line 3'))
    wait_pod(v1, 'py-logger', ['Running', 'Succeeded'])
    resp = v1.read_namespaced_pod_log('py-logger', NS, follow=True, _preload_content=False)
    lines = []
    phase_at_first = None
    for raw in resp.stream():
        for line in raw.decode().splitlines():
            lines.append(line)
            if phase_at_first is None:
                phase_at_first = v1.read_namespaced_pod('py-logger', NS).status.phase
    whole = v1.read_namespaced_pod_log('py-logger', NS, tail_lines=2)
    out({'lines': lines, 'phaseAtFirstLine': phase_at_first, 'tail2': whole})


def execs(v1):
    v1.create_namespaced_pod(NS, host_pod('py-shell', 'sleep infinity'))
    wait_pod(v1, 'py-shell', ['Running'])
    simple = stream(v1.connect_get_namespaced_pod_exec, 'py-shell', NS, command=['echo', 'hello from exec'], stderr=True, stdin=False, stdout=True, tty=False)
    resp = stream(v1.connect_get_namespaced_pod_exec, 'py-shell', NS,
                  command=['sh', '-c', 'read a; echo "got $a"; echo oops >&2; exit 3'],
                  stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin('typed\n')
    resp.run_forever(timeout=20)
    stdout = resp.read_stdout()
    stderr = resp.read_stderr()
    out({'simple': simple, 'stdout': stdout, 'stderr': stderr, 'returncode': resp.returncode})


def port_forward(v1):
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name='py-web'), spec=client.V1PodSpec(containers=[
        client.V1Container(name='nginx', image='nginx:1.25', ports=[client.V1ContainerPort(container_port=80)])]))
    v1.create_namespaced_pod(NS, pod)
    wait_pod(v1, 'py-web', ['Running'])
    answers = []
    for _ in range(2):
        pf = portforward(v1.connect_get_namespaced_pod_portforward, 'py-web', NS, ports='80')
        sock = pf.socket(80)
        sock.setblocking(True)
        sock.sendall(b'GET / HTTP/1.1\r\nHost: py-web\r\nConnection: close\r\n\r\n')
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        sock.close()
        answers.append({'status': data.split(b'\r\n', 1)[0].decode(), 'nginx': b'Welcome to nginx!' in data, 'error': pf.error(80)})
    refused = portforward(v1.connect_get_namespaced_pod_portforward, 'py-web', NS, ports='81')
    s = refused.socket(81)
    s.setblocking(True)
    while s.recv(65536):
        pass
    s.close()
    out({'answers': answers, 'refused': refused.error(81)})


def main():
    config.load_kube_config(config_file=sys.argv[1])
    v1 = client.CoreV1Api()
    {'crud': crud, 'watch': watching, 'logs': logs, 'exec': execs, 'portforward': port_forward}[sys.argv[2]](v1)


if __name__ == '__main__':
    main()
