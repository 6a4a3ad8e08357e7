# One image for every Alertline role; the role is the command argument:
#   docker run alertline:local api|ingest|dispatcher|sandbox|migrate
# Used by docker-compose.yml. Without Docker, see deploy/infra.sh instead.

# --- build: needs the dev dependencies (TypeScript) ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies only, so the image stays small ---
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Migrations are read from the source tree at run time (src/database/migrate.ts), not from dist.
COPY src/database/migrations ./src/database/migrations
# The one-shot topic service in docker-compose.yml runs these with the image's kafkajs.
COPY deploy/topics.js deploy/kafka-ready.js ./deploy/
USER node
ENTRYPOINT ["node", "dist/main.js"]
CMD ["api"]
