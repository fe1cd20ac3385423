# kdp in a container: the same `kdp up` as on the host. It needs the host's network (its addresses
# are loopback addresses the host's curl and dig must reach) and the right to make mount namespaces
# for pod sandboxes and to program kube-proxy's nftables rules in the host's network namespace,
# hence `network_mode: host` and `privileged` in docker-compose.yml.
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl bind9-dnsutils iproute2 util-linux procps nftables conntrack ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/kdp
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
RUN npm ci && npm prune --omit=dev
COPY examples ./examples
ENTRYPOINT ["node", "bin/kdp.js"]
CMD ["up", "-f", "examples/seed", "--state-dir", "/var/lib/kdp"]
