# The production image for every Alertline role; the role is the command argument:
#   docker build -t alertline:local .                 docker run alertline:local api|ingest|dispatcher|migrate
# and the provider emulator for local stacks, never deployed:
#   docker build --target sandbox -t alertline-sandbox:local .
# Used by docker-compose.yml. Without Docker, see deploy/infra.sh instead. Node is the version in .nvmrc.

# --- build: the dev dependencies (TypeScript), then the runtime tree in /out (deploy/image-tree.sh) ---
FROM node:24.22.3-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.tools.json nest-cli.json ./
COPY src ./src
COPY deploy/image-tree.sh deploy/topics.js deploy/kafka-ready.js ./deploy/
RUN bash deploy/image-tree.sh /out && npm run -s build

# --- sandbox: the emulator on the full build (tools included); a separate image, not the product ---
FROM node:24.22.3-slim AS sandbox
ENV NODE_ENV=development
WORKDIR /app
COPY --from=build /out ./
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node", "dist/sandbox/sandbox.main.js"]

# --- runtime (the default target): production code and dependencies only, owned by root, run as node ---
FROM node:24.22.3-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out ./
USER node
ENTRYPOINT ["node", "dist/main.js"]
CMD ["api"]
