# The portal's image: web (gunicorn), worker and beat all run it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=crm_workshop.settings.production \
    DJANGO_READ_DOT_ENV_FILE=False

# WeasyPrint (minutes PDF) needs Pango; fonts so the PDF has glyphs for Spanish text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic imports the production settings, which refuse to start without secrets:
# give it throwaway values that exist only in this build step.
RUN SECRET_KEY=collectstatic-build-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/media \
    && chown app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "crm_workshop.wsgi", "-w", "2", "-b", "0.0.0.0:8000", "--access-logfile", "-"]
