# The browser console (/console): built from its pinned lock file, only the static files kept.
FROM node:20-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY console/build.mjs ./
COPY console/src src
RUN node build.mjs

FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HUB_CONSOLE_DIR=/app/console
COPY pyproject.toml constraints.txt README.md ./
COPY hub hub
COPY schema schema
COPY resolvers resolvers
COPY graph graph
COPY loaders loaders
COPY identity identity
COPY analytics analytics
COPY --from=console /console/dist console
RUN pip install --no-cache-dir -c constraints.txt . \
 && useradd --system --uid 10001 hub
USER hub
EXPOSE 8000
CMD ["hub", "serve"]
