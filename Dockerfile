# Konto for production: gunicorn (threaded) serving Django behind nginx, static files by
# WhiteNoise or nginx, non-root.
# Build: docker build -t konto .
# Run:   docker run -e SECRET_KEY=… -e ALLOWED_HOSTS=konto.example.com \
#          -e DATABASE_URL=postgres://… -e CACHE_URL=redis://… -e EMAIL_URL=smtp+tls://… -p 127.0.0.1:8000:8000 konto
# Then once per release: docker run --rm … konto python manage.py migrate
# And, as a second long-running process with the same environment, the task worker that sends
# every e-mail (and retries while the mail server is down):
#        docker run -e … konto python manage.py db_worker
# Once a day: docker run --rm … konto python manage.py prune_db_task_results (finished tasks
# older than 14 days; --failed-min-age-days keeps given-up e-mails longer).

# --- build stage: dependencies into a virtualenv, static files collected ----------------------
FROM python:3.12-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
RUN rm -f .env \
 && DEBUG=0 SECRET_KEY=build-only-collectstatic ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input
# The compiled translations (locale/*/LC_MESSAGES/django.mo) are committed, so no gettext here.

# --- runtime stage ----------------------------------------------------------------------------
FROM python:3.12-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8000
# sox: import_voicemail converts the switch's GSM, µ-law… recordings into WAV for the browser
# (GSM lives in libsox-fmt-base; the rest of libsox-fmt-all is sound cards and MP3).
RUN apt-get update \
 && apt-get install -y --no-install-recommends sox libsox-fmt-base \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system konto && useradd --system --gid konto --home-dir /app --no-create-home konto
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=konto:konto /app /app
RUN mkdir -p /app/var/media && chown -R konto:konto /app/var
USER konto
EXPOSE 8000
# /healthz answers without a login and checks the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
# Threaded workers and timeouts, all from the environment: see deploy/gunicorn.conf.py.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
# Always behind nginx (deploy/nginx/konto.conf), which keeps slow clients away from gunicorn:
# publish the port on the host's loopback only (-p 127.0.0.1:8000:8000), set
# FORWARDED_ALLOW_IPS to the address nginx connects from (Docker's bridge gateway, usually
# 172.17.0.1), and USE_X_FORWARDED_PROTO=1 / TRUSTED_PROXY_COUNT=1 (Konto) so HTTPS and client
# addresses are known.
