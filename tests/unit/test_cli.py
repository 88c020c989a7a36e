"""The command line refuses an unusable configuration with one line and exit code 2."""
import io

from webhook_register.domain.tokens import hash_token
from webhook_register.entrypoints import cli
from webhook_register.entrypoints.config import admin_token_hashes


def test_a_missing_config_file_exits_2_with_one_line(tmp_path, capsys):
    assert cli.main(["serve", "--config", str(tmp_path / "absent.yml")]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "config file not found" in err


def test_an_invalid_value_exits_2_naming_the_key(tmp_path, capsys, monkeypatch):
    path = tmp_path / "config.yml"
    path.write_text("http:\n  port: 80\n")
    monkeypatch.setenv("WEBHOOK_HTTP_WORKERS", "none")
    assert cli.main(["serve", "--config", str(path)]) == cli.EXIT_CONFIG
    assert "http.workers" in capsys.readouterr().err


def test_hash_token_prints_the_form_admin_tokens_accept(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("my-admin-token-123456\n"))
    assert cli.main(["hash-token"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == f"sha256:{hash_token('my-admin-token-123456')}"
    assert admin_token_hashes([printed]) == admin_token_hashes(["my-admin-token-123456"])


def test_check_config_validates_and_hides_secrets(tmp_path, capsys, monkeypatch):
    path = tmp_path / "config.yml"
    path.write_text("auth:\n  admin_tokens: [admin-token-1234567890]\nredis:\n  password: hunter2-hunter2\n")
    assert cli.main(["check-config", "--config", str(path)]) == 0
    assert "config OK" in capsys.readouterr().out
    assert cli.main(["check-config", "--config", str(path), "--json"]) == 0
    printed = capsys.readouterr().out
    assert "hunter2" not in printed and "admin-token-1234567890" not in printed and '"port": 8000' in printed
    path.write_text("http:\n  port: -1\n")
    assert cli.main(["check-config", "--config", str(path)]) == cli.EXIT_CONFIG
    assert "http.port" in capsys.readouterr().err


def test_the_wsgi_entry_logs_as_configured(tmp_path, monkeypatch):
    # gunicorn run directly (not through serve) builds the app with wsgi.create_app: it sets up the logs.
    import logging

    from webhook_register.entrypoints import wsgi

    path = tmp_path / "config.yml"
    path.write_text("redis: {embedded: false}\nlogging: {format: json, level: WARNING}\n")
    monkeypatch.setenv("WEBHOOK_REGISTER_CONFIG", str(path))
    wsgi.create_app()
    root = logging.getLogger()
    assert root.level == logging.WARNING
    assert [type(handler.formatter).__name__ for handler in root.handlers] == ["OrjsonFormatter"]
