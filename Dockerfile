FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml constraints.txt README.md ./
COPY hub hub
COPY schema schema
COPY resolvers resolvers
COPY graph graph
COPY loaders loaders
COPY identity identity
COPY analytics analytics
RUN pip install --no-cache-dir -c constraints.txt . \
 && useradd --system --uid 10001 hub
USER hub
EXPOSE 8000
CMD ["hub", "serve"]
