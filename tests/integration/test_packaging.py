"""The package installs under one import name, both as a wheel and as the editable install."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMPORT_ALL = (
    "import webhook_register, webhook_register.domain.service, webhook_register.adapters.redis_repository,"
    " webhook_register.entrypoints.cli, webhook_register.entrypoints.wsgi; print(webhook_register.__file__)"
)


def run_python(code, cwd, extra_path=None):
    prelude = f"import sys; sys.path.insert(0, {str(extra_path)!r}); " if extra_path else ""
    return subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_editable_install_maps_src_to_webhook_register(tmp_path):
    assert Path(run_python(IMPORT_ALL, cwd=tmp_path)) == REPO / "src" / "__init__.py"
    assert (Path(sys.executable).parent / "webhook-register").is_file()


def test_a_built_wheel_imports_from_anywhere(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(REPO)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("webhook_register-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    assert Path(run_python(IMPORT_ALL, cwd=tmp_path, extra_path=target)) == target / "webhook_register" / "__init__.py"
    assert not (target / "src").exists() and not (target / "adapters").exists()
