# The KDS and the order-service simulator (same image, different command; see docker-compose.yml).
FROM node:20-bookworm

# The `zookeeper` package builds a native addon (the ZooKeeper C client) during npm ci.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# node-gyp finds the image's own Node headers instead of downloading them.
ENV npm_config_nodedir=/usr/local

COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund && node -e "require('zookeeper')"

COPY . .
RUN npm run build

EXPOSE 8080 8090
CMD ["npm", "start"]
