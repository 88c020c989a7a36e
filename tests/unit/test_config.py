"""Loading the configuration: the shipped file, environment overrides, and one clear line per mistake."""
from pathlib import Path

import pytest
import yaml

from webhook_register.domain.tokens import hash_token
from webhook_register.entrypoints.config import (
    SECTIONS,
    ConfigError,
    admin_token_hashes,
    ConfigSchema,
    environment_variable,
    load_config,
    resolve_config_path,
)

SHIPPED = Path(__file__).resolve().parents[2] / "config.yml"


def write(tmp_path, text):
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path


def test_the_shipped_file_states_every_default():
    assert load_config(SHIPPED, environ={}) == ConfigSchema().load({})
    shipped = yaml.safe_load(SHIPPED.read_text())
    assert shipped.keys() == SECTIONS.keys()
    for section, schema in SECTIONS.items():
        assert shipped[section].keys() == schema().fields.keys(), f"config.yml does not list every {section} key"


def test_admin_tokens_and_proxies_come_as_lists_or_comma_separated(tmp_path):
    config = load_config(SHIPPED, environ={"WEBHOOK_AUTH_ADMIN_TOKENS": "a" * 20 + ", sha256:" + "b" * 43,
                                           "WEBHOOK_HTTP_TRUSTED_PROXIES": "10.0.0.1,192.168.0.0/16"})
    assert config["auth"]["admin_tokens"] == ["a" * 20, "sha256:" + "b" * 43]
    assert admin_token_hashes(config["auth"]["admin_tokens"]) == [hash_token("a" * 20), "b" * 43]
    assert config["http"]["trusted_proxies"] == ["10.0.0.1", "192.168.0.0/16"]


def test_a_bad_admin_token_is_named_by_position_without_echoing_it():
    with pytest.raises(ConfigError) as caught:
        load_config(SHIPPED, environ={"WEBHOOK_AUTH_ADMIN_TOKENS": "good-token-of-20-chars,bad secret"})
    assert "entry 2" in str(caught.value) and "bad secret" not in str(caught.value)


def test_every_key_is_overridden_by_its_environment_variable():
    config = load_config(SHIPPED, environ={"WEBHOOK_HTTP_PORT": "9001", "WEBHOOK_REDIS_EMBEDDED": "false"})
    assert config["http"]["port"] == 9001
    assert config["redis"]["embedded"] is False
    assert environment_variable("redis", "key_prefix") == "WEBHOOK_REDIS_KEY_PREFIX"


def test_environment_values_are_taken_literally_not_parsed_as_yaml():
    config = load_config(SHIPPED, environ={"WEBHOOK_REDIS_PASSWORD": 'p: "#{x}'})
    assert config["redis"]["password"] == 'p: "#{x}'


def test_an_empty_variable_clears_a_nullable_key(tmp_path):
    path = write(tmp_path, "redis:\n  password: secret\n")
    assert load_config(path, environ={"WEBHOOK_REDIS_PASSWORD": ""})["redis"]["password"] is None


def test_a_partial_file_gets_the_defaults(tmp_path):
    config = load_config(write(tmp_path, "http:\n  port: 8080\n"), environ={})
    assert config["http"]["port"] == 8080
    assert config["redis"]["key_prefix"] == "webhook:"


@pytest.mark.parametrize(
    "text, environ, named",
    [
        ("http:\n  port: 0\n", {}, "http.port"),
        ("http:\n  port: 8000\n", {"WEBHOOK_HTTP_PORT": "eighty"}, "http.port"),
        ("http:\n  prot: 8000\n", {}, "http.prot"),
        ("redis:\n  key_prefix: 'a{b}'\n", {}, "redis.key_prefix"),
        ("redis:\n  embedded: maybe\n", {}, "redis.embedded"),
        ("http:\n  worker_class: eventlet\n", {}, "http.worker_class"),
        ("queue: {}\n", {}, "queue"),
    ],
)
def test_an_invalid_value_is_one_line_naming_the_key(tmp_path, text, environ, named):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ=environ)
    message = str(caught.value)
    assert named in message and "\n" not in message


def test_a_missing_or_broken_file_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yml", environ={})
    with pytest.raises(ConfigError, match="unreadable"):
        load_config(write(tmp_path, "http: [unclosed\n"), environ={})
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- a list\n"), environ={})


def test_the_file_is_chosen_by_flag_then_variable_then_working_directory():
    assert resolve_config_path("a.yml", {"WEBHOOK_REGISTER_CONFIG": "b.yml"}) == Path("a.yml")
    assert resolve_config_path(None, {"WEBHOOK_REGISTER_CONFIG": "b.yml"}) == Path("b.yml")
    assert resolve_config_path(None, {}) == Path("config.yml")
