# Production image: the BFF (gunicorn + gevent) and, with another command, the RQ worker or cron.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY wsgi.py gunicorn.conf.py ./
COPY bff ./bff
COPY auth ./auth
COPY pwa ./pwa
RUN useradd --system --uid 10001 onething && mkdir -p /app/var /tmp/onething-metrics \
    && chown onething /app/var /tmp/onething-metrics
USER onething
ENV ONETHING_ENV=production ONETHING_LOG_FORMAT=json PROMETHEUS_MULTIPROC_DIR=/tmp/onething-metrics
EXPOSE 8000
# No HEALTHCHECK here: the image runs the BFF, the worker and cron, and each kind has its own
# check (compose.yaml); one inherited HTTP check would mark the worker and cron unhealthy.
# One gevent worker per core; SSE streams and slow department calls wait without holding a thread.
CMD ["sh", "-c", "gunicorn -k gevent -w ${WEB_CONCURRENCY:-2} --worker-connections 1000 -b 0.0.0.0:8000 --graceful-timeout 20 wsgi:app"]
