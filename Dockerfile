# The KDS image (default target `runtime`) and the tools image (target `tools`: the order-service
# simulator and the other npm scripts, with the dev dependencies). See docker-compose.yml.
#
#   docker build -t kds .                  the service: node + dist/ + production dependencies
#   docker build --target tools -t kds-tools .

# --- deps: every dependency, the zookeeper native addon built -------------------------------------
FROM node:22-bookworm AS deps
# The `zookeeper` package builds a native addon (the ZooKeeper C client) when installed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# node-gyp finds the image's own Node headers instead of downloading them.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the project's `prepare` (the build) needs the sources, copied later; the
# install scripts that matter are run by `npm rebuild` (the addon; esbuild's binary check for tsx).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild zookeeper esbuild \
 && node -e "require('zookeeper')"

# --- tools: sources, dist/ built, dev dependencies (simulator, tsx scripts) -----------------------
FROM deps AS tools
COPY . .
RUN npm run build
EXPOSE 8090
CMD ["npm", "run", "simulate:orders"]

# --- prod-deps: the same node_modules without the dev dependencies (the addon stays built) --------
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund && node -e "require('zookeeper')"

# --- runtime: what `npm start` needs and nothing else ----------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY migrations ./migrations
# the screens' static pages, served from src/pages (src/http/pages.ts looks there from dist/)
COPY src/pages ./src/pages
COPY --from=tools /app/dist ./dist
USER node
EXPOSE 8080
# node itself is the container's main process, so `docker stop` (SIGTERM) reaches the service: it
# drains and exits 0. Not `npm start`: npm would be one more process to forward the signal, for
# nothing (docs/operations.md, "Signals"). Run with an init (compose `init: true`, `docker run
# --init`) so PID 1 is not node. Same heap flags as the npm script.
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=384", "--max-semi-space-size=32", "dist/main.js"]
