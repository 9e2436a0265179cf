"""deploy/: the systemd unit as systemd reads it (``systemd-analyze verify``), the settings an operator
relies on, and the nginx site as nginx reads it (``nginx -t``). Each tool's test is skipped, with one
line naming the Debian package, where the tool is absent; .ci/run installs both."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "hotline.service"
INSTALLED_COMMAND = "/opt/hotline/.venv/bin/hotline"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_the_unit_restarts_for_ever_and_keeps_to_its_data_directory() -> None:
    unit = _unit()
    service = unit["Service"]
    assert service["Restart"] == "always"
    assert service["RestartSec"] == "5s"
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"  # systemd's default gives up after 5 failures in 10 s
    assert service["Type"] == "notify"  # bot.ops.sdnotify: READY=1, WATCHDOG=1, STOPPING=1
    assert service["NotifyAccess"] == "main"
    assert service["WatchdogSec"] == "30s"
    assert service["User"] == "hotline" and service["Group"] == "hotline"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/hotline"
    assert service["StateDirectory"] == "hotline"
    assert service["UMask"] == "0077"
    assert service["EnvironmentFile"] == "/etc/hotline/hotline.env"
    assert service["ExecStart"].startswith(f"{INSTALLED_COMMAND} run --config /etc/hotline/config.toml")
    assert service["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_environment_file_example_names_the_token_variable_only() -> None:
    text = (DEPLOY / "hotline.env.example").read_text(encoding="utf-8")
    assert "HOTLINE_TELEGRAM__TOKEN=\n" in text  # empty: the token is never in the repository
    assert "0600" in text


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed (Debian package: systemd)")
    # the unit as installed, with ExecStart pointing at this checkout's command (verify checks it exists)
    command = Path(sys.executable).with_name("hotline")
    assert command.exists(), command
    unit = tmp_path / "hotline.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED_COMMAND, str(command)), encoding="utf-8")
    done = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "hotline.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


def test_the_board_unit_runs_the_board_beside_the_bot(tmp_path: Path) -> None:
    board = DEPLOY / "hotline-board.service"
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(board.read_text(encoding="utf-8"))
    service = parser["Service"]
    assert service["ExecStart"] == f"{INSTALLED_COMMAND} board --config /etc/hotline/config.toml"
    assert service["User"] == "hotline" and service["ReadWritePaths"] == "/var/lib/hotline"
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed (Debian package: systemd)")
    command = Path(sys.executable).with_name("hotline")
    unit = tmp_path / "hotline-board.service"
    unit.write_text(board.read_text(encoding="utf-8").replace(INSTALLED_COMMAND, str(command)), encoding="utf-8")
    done = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "hotline-board.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


def test_systemd_analyze_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: an unknown restart policy and a missing command are reported."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed (Debian package: systemd)")
    unit = tmp_path / "hotline.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("Restart=always", "Restart=sometimes"),
        encoding="utf-8",
    )
    done = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0  # /opt/hotline/.venv/bin/hotline is not here
    assert "not executable" in output and "restart specifier" in output


def _nginx_wrapper(tmp_path: Path, site: Path) -> Path:
    """A minimal nginx.conf that includes the site, with a throw-away certificate in place of Let's Encrypt's."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hotline.example.org"]
        + ["-keyout", str(key), "-out", str(certificate)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    text = site.read_text(encoding="utf-8")
    text = text.replace("/etc/letsencrypt/live/hotline.example.org/fullchain.pem", str(certificate))
    text = text.replace("/etc/letsencrypt/live/hotline.example.org/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(text, encoding="utf-8")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return conf


@pytest.mark.parametrize("broken", [False, True])
def test_nginx_accepts_the_site(tmp_path: Path, broken: bool) -> None:
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx not installed (Debian package: nginx)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed (Debian package: openssl)")
    site = DEPLOY / "nginx-hotline.conf"
    if broken:  # the check can fail: a directive nginx does not know
        broken_site = tmp_path / "broken.conf"
        broken_site.write_text(site.read_text(encoding="utf-8").replace("access_log off;", "acces_log off;"))
        site = broken_site
    conf = _nginx_wrapper(tmp_path, site)
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode != 0) is broken, done.stdout + done.stderr


def test_nginx_site_forwards_the_webhook_and_keeps_ops_private() -> None:
    text = (DEPLOY / "nginx-hotline.conf").read_text(encoding="utf-8")
    assert "location = /telegram-hook" in text
    assert "proxy_set_header X-Telegram-Bot-Api-Secret-Token $http_x_telegram_bot_api_secret_token;" in text
    assert "location /board/" in text
    board = text.split("location /board/", 1)[1].split("}", 1)[0]
    assert "proxy_pass http://127.0.0.1:8090;" in board  # [board] listen's default, the path passed on
    assert "proxy_buffering off;" in board  # server-sent events reach the page as they are sent
    assert "9464" not in text.split("location /board/")[0]  # the ops endpoints are not proxied
