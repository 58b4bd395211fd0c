# ep-cart-stub as a container: compiled in a build stage, run on a slim Node 20 with production
# dependencies only, as the unprivileged `node` user.
#   docker build -t ep-cart-stub .
#   docker run -p 4010:4010 ep-cart-stub
# Flags are environment variables here (PORT, STUB_DATA, STUB_SANDBOX, ...): see `ep-cart-stub --help`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY openapi ./openapi
# The build starts the CLI once, with the bundled fixtures, to write its code cache.
COPY fixtures ./fixtures
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4010
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY openapi ./openapi
COPY fixtures ./fixtures
# State stays in memory unless STUB_DATA names a file: -v ep-cart-data:/data -e STUB_DATA=/data/state.json
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4010
# Node, not curl (the slim image has none). No --start-period: the stub answers within a second of starting.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4010)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/cli.cjs"]
