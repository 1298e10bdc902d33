# syntax=docker/dockerfile:1
# release-promoter: the Probot app, built with the dev toolchain and run with production
# dependencies only, as the unprivileged `node` user.
#   docker build -t release-promoter .
#   docker run --init --env-file .env -p 3000:3000 release-promoter
# (--init: Node as PID 1 ignores SIGTERM unless it handles it; tini forwards it.)

# ---- build: compile TypeScript -----------------------------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so this layer is cached until the lockfile changes. --ignore-scripts: the
# `prepare` script (tsc) needs src/, which is copied after; the build runs explicitly below.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
COPY bin ./bin
COPY app.yml ./
COPY trust ./trust

# ---- runtime -----------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
# LOG_FORMAT explicitly: `probot run` defaults to pretty logs even when NODE_ENV=production.
ENV NODE_ENV=production LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
# Production dependencies only. --ignore-scripts: `prepare` runs tsc, a dev dependency.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# Probot's setup page and the manifest are read from the working directory.
COPY --from=build /app/app.yml ./
COPY --from=build /app/trust ./trust
# Files stay owned by root: the app cannot modify its own code or dependencies.
USER node
# Probot 14 listens on localhost by default; a container must listen on every interface.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
