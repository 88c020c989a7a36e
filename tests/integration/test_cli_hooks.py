"""The admin CLI on the real Redis: hooks create, list, show, delete; exit codes and --json for scripts."""
import json
import subprocess

from tests.integration.processes import SERVE, write_config


def run(config, *args):
    return subprocess.run([SERVE, "hooks", "--config", str(config), "--json", *args], capture_output=True, text=True)


def test_create_list_show_delete(tmp_path, redis_server, redis_client):
    config = write_config(tmp_path / "config.yml", 8000, {"embedded": False, "port": redis_server.port,
                                                          "key_prefix": "cli:"})
    created = json.loads(run(config, "create", "cli-user", "--arg", "room=42").stdout)
    assert created["token"].startswith("whr_")

    listed = json.loads(run(config, "list", "cli-user").stdout)
    assert [hook["id"] for hook in listed["hooks"]] == [created["id"]] and listed["next_cursor"] is None

    shown = json.loads(run(config, "show", created["id"]).stdout)
    assert shown["arguments"] == {"room": "42"} and "token" not in json.dumps(shown)

    assert json.loads(run(config, "delete", created["id"]).stdout) == {"deleted": created["id"]}
    missing = run(config, "show", created["id"])
    assert missing.returncode == 1 and "not found" in missing.stderr
    bad = run(config, "create", "not a userid")
    assert bad.returncode == 1 and "userid" in bad.stderr
