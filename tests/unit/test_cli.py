"""The command line refuses an unusable configuration with one line and exit code 2."""
from webhook_register.entrypoints import cli


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
