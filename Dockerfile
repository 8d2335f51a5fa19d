# AluxSat CRM: one image for web (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint (PDF rendering) loads Pango and HarfBuzz at run time and needs a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The pinned set first, so a code change does not reinstall the packages.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install -r requirements/lock.txt

# The code belongs to root and is read-only for the app; only var/ (collected static
# files, media) is writable by the non-root user the processes run as.
RUN groupadd --system --gid 1000 alux \
    && useradd --system --uid 1000 --gid alux --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin alux
COPY . .
RUN mkdir -p var/static var/media && chown -R alux:alux var

USER alux
EXPOSE 8000
CMD ["gunicorn", "alux_crm.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
