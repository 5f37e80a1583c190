# Recommender service image (current Python, SQLAlchemy 2).
FROM python:3.11-slim
WORKDIR /app
COPY requirements/reco.txt requirements/reco.lock requirements/
RUN pip install --no-cache-dir -r requirements/reco.txt -c requirements/reco.lock
COPY recommender recommender
COPY bot/data bot/data
ENV PYTHONPATH=/app
USER 1001
CMD ["python", "-m", "recommender", "serve", "--host", "0.0.0.0", "--port", "8000"]
