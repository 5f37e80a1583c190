# Rasa server and action server image (Python 3.10, Rasa 3.6.21).
FROM python:3.10-slim
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.lock requirements/
RUN pip install --no-cache-dir -r requirements/rasa.txt -c requirements/rasa.lock
COPY bot bot
COPY actions actions
COPY nlu_data nlu_data
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
USER 1001
