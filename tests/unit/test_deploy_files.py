"""The shipped deployment files stay loadable: the gunicorn config is one gunicorn accepts."""
from pathlib import Path

from gunicorn.config import Config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_gunicorn_config_sets_only_known_settings():
    namespace: dict = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread" and config.preload_app is False
    assert "[Service]" in (DEPLOY / "webhook-register.service").read_text()
