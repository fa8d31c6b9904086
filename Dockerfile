# dataverse-mcp: multi-stage build, then a slim Node 22 LTS runtime with production dependencies only.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
# tini is PID 1 so SIGTERM/SIGINT reach Node and zombies are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system mcpuser \
 && useradd --system --gid mcpuser --home-dir /home/mcpuser --create-home --shell /usr/sbin/nologin mcpuser \
 && mkdir -p /data \
 && chown mcpuser:mcpuser /data \
 && chmod 700 /data
WORKDIR /app
ENV NODE_ENV=production \
    TOKEN_CACHE_DIR=/data
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
USER mcpuser
VOLUME ["/data"]
# 8199: SSE and Streamable HTTP (when MCP_TRANSPORT asks for them); 5577: the sign-in redirect.
EXPOSE 8199 5577
# Probes /healthz when an HTTP transport runs; in stdio mode there is nothing to probe and it reports healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
