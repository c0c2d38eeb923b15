"""`manage.py check --deploy` is clean with the settings docs/deployment.md tells a deployment to set.

The environment is read from the deployment guide itself (its `/etc/youthline/env` block), so the
guide and the check cannot drift apart; every variable in it is described in docs/configuration.md.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.live import ROOT

GUIDE = ROOT / "docs" / "deployment.md"
_DROPPED = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "JWT_SIGNING_KEY",
    "DATABASE_URL",
    "REDIS_URL",
)


def guide_environment() -> dict[str, str]:
    block = re.search(r"```sh\n# /etc/youthline/env\n(.*?)```", GUIDE.read_text(), re.S)
    assert block, "docs/deployment.md has no /etc/youthline/env block"
    variables = {}
    for raw_line in block.group(1).splitlines():
        line = raw_line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name] = value
    # The guide shows where the secret goes; a real one of the kind it asks for stands in.
    assert variables["DJANGO_SECRET_KEY"].startswith("<"), variables["DJANGO_SECRET_KEY"]
    variables["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(48)
    return variables


def check_deploy(variables: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update({"DJANGO_SETTINGS_MODULE": "youthline.settings", **variables})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_guides_settings():
    done = check_deploy(guide_environment())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "System check identified no issues" in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("left_out", "check_id"),
    [
        ("YOUTHLINE_HTTPS", "security.W004"),  # no HSTS (and no TLS redirect, no secure cookies)
        ("REDIS_URL", "youthline.W001"),
        ("DATABASE_URL", "youthline.W002"),
    ],
)
def test_check_deploy_names_what_is_left_out(left_out, check_id):
    variables = guide_environment()
    del variables[left_out]
    done = check_deploy(variables)
    assert done.returncode != 0 and check_id in done.stderr, done.stderr[-3000:]


def test_every_variable_of_the_guide_is_described_in_the_configuration_doc():
    described = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in guide_environment() if f"`{name}`" not in described]
    assert not missing, f"docs/configuration.md does not describe {missing}"
