"""The benchmark harness: the service, a lean baseline and a hello-world app under identical gunicorn settings."""
