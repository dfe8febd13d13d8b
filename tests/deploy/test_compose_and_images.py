"""Offline checks of deploy/compose/ and deploy/docker/: the compose file against the Compose
Specification's JSON schema (vendored, checksum checked), its replica set and hardening, the
Dockerfiles' promises, and docs/deploy.md naming only files that exist."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import DEPLOY, K8S, ROOT, image_is_pinned, kubernetes_validate

COMPOSE_SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"


COMPOSE = DEPLOY / "compose"


def compose_file() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())  # type: ignore[no-any-return]


def compose_validator() -> Any:
    import jsonschema  # a dependency of kubernetes-validate

    raw = (COMPOSE / "compose-spec.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == COMPOSE_SCHEMA_SHA256, (
        "compose-spec.json changed: update compose-spec.NOTICE.md and COMPOSE_SCHEMA_SHA256"
    )
    schema = json.loads(raw)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_compose_file_validates_against_the_compose_specification() -> None:
    kubernetes_validate()  # brings jsonschema; fails with the install hint when missing
    validator = compose_validator()
    errors = sorted(validator.iter_errors(compose_file()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    wrong = compose_file()
    wrong["services"]["api"]["restart_policy"] = "always"  # not a Compose key
    wrong["services"]["worker"]["ports"] = "8000"  # must be a list
    assert len(list(validator.iter_errors(wrong))) >= 2, "the schema check is not vacuous"


def test_compose_runs_a_three_member_replica_set_and_everything_else() -> None:
    compose = compose_file()
    services = compose["services"]
    assert {"api", "worker", "rasa", "actions", "redis", "mongo-init"} <= set(services)
    members = [name for name, s in services.items() if "mongod" in (s.get("command") or [])[:1]]
    assert len(members) == 3
    for name in members:
        command = services[name]["command"]
        assert command[command.index("--replSet") + 1] == "rs0"
        assert "--keyFile" in command, "a replica set with access control needs a key file"
        assert services[name]["image"].startswith("mongo:8.")
    init_script = (COMPOSE / "mongo-init.js").read_text()
    assert "rs.initiate" in init_script
    for name in members:
        assert f'"{name}:27017"' in init_script
    init = services["mongo-init"]
    assert init["network_mode"] == f"service:{members[0]}", "the localhost exception needs it"
    for name in members:
        assert init["depends_on"][name]["condition"] == "service_healthy"
    uri = services["api"]["environment"]["MONGODB_URI"]
    assert "replicaSet=rs0" in uri and all(f"{m}:27017" in uri for m in members)
    assert services["worker"]["environment"] == services["api"]["environment"]
    assert services["worker"]["healthcheck"] == {"disable": True}
    for name, service in services.items():
        image = service["image"]
        assert image_is_pinned(image.replace("${XUTHANH_VERSION:-0.1.0}", "0.1.0")), name
    for name in ("api", "worker", "rasa", "actions", "redis"):
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert "memory" in service["deploy"]["resources"]["limits"], name
    endpoints = next(v for v in services["rasa"]["volumes"] if "endpoints.yml" in v)
    assert (COMPOSE / endpoints.split(":")[0]).resolve() == K8S / "base/assistant/endpoints.yml"
    assert compose["networks"]["backend"]["internal"] is True


def test_every_variable_compose_reads_is_in_the_env_example() -> None:
    text = (COMPOSE / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{(\w+)", text))
    example = (COMPOSE / ".env.example").read_text()
    defined = set(re.findall(r"^(\w+)=", example, flags=re.MULTILINE))
    assert used <= defined, f"missing from .env.example: {sorted(used - defined)}"
    mongo_init = (COMPOSE / "mongo-init.js").read_text()
    for name in re.findall(r"env\.(\w+)", mongo_init):
        assert name in compose_file()["services"]["mongo-init"]["environment"], name


# --- Dockerfiles -------------------------------------------------------------------------------


DOCKER = DEPLOY / "docker"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = dockerfile.read_text().replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def base_image(steps: list[tuple[str, str]]) -> str:
    args = dict(rest.split("=", 1) for keyword, rest in steps if keyword == "ARG" and "=" in rest)
    return args["PYTHON_IMAGE"]


@pytest.mark.parametrize(
    ("dockerfile", "python"),
    [("api.Dockerfile", "3.11"), ("assistant.Dockerfile", "3.10")],
)
def test_dockerfiles_pin_a_slim_python_and_run_as_a_user(dockerfile: str, python: str) -> None:
    steps = instructions(DOCKER / dockerfile)
    base = base_image(steps)
    assert re.fullmatch(
        rf"python:{re.escape(python)}\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{{64}})?", base
    )
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[-1]), "a numeric non-root USER"
    assert any(keyword == "HEALTHCHECK" for keyword, _ in steps)
    ignore = (DOCKER / f"{dockerfile}.dockerignore").read_text().splitlines()
    for keyword, rest in steps:
        if keyword == "COPY" and not rest.startswith("--from"):
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), f"{dockerfile} copies {source}, which is missing"
                assert in_context(source.rstrip("/"), ignore), (
                    f"{source} is excluded by {dockerfile}.dockerignore"
                )


def in_context(path: str, ignore: list[str]) -> bool:
    """Whether a .dockerignore keeps ``path`` (the subset of its syntax these files use)."""
    kept = True
    for line in ignore:
        line = line.strip()
        if not line or line.startswith("#") or line.lstrip("!").startswith("**"):
            continue
        pattern = line.lstrip("!").rstrip("/")
        if pattern == "*" or path == pattern or path.startswith(pattern + "/"):
            kept = line.startswith("!")
    return kept


def runtime_files(dockerfile: Path) -> set[str]:
    """The repository files the image's last stage holds: copied into the context-reading stages
    (within the build context), then into the last stage whole or with ``--from``."""
    ignore = (dockerfile.parent / f"{dockerfile.name}.dockerignore").read_text().splitlines()
    stages: dict[str, dict[str, str]] = {}  # per stage: image path -> repository path
    current: dict[str, str] = {}
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            current = stages.setdefault(rest.split()[-1], {})
        elif keyword == "COPY":
            *sources, destination = rest.split()
            if sources[0].startswith("--from="):
                earlier, source = stages[sources[0].removeprefix("--from=")], sources[1]
                for image_path, repo_path in earlier.items():
                    if image_path == source or image_path.startswith(source.rstrip("/") + "/"):
                        current[destination + image_path[len(source) :]] = repo_path
                continue
            for source in sources:
                base = ROOT / source
                files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
                for file in files:
                    repo_path = file.relative_to(ROOT).as_posix()
                    if in_context(repo_path, ignore):
                        inside = repo_path[len(source.rstrip("/")) :]
                        current[destination.rstrip("/") + inside] = repo_path
    return set(current.values())


def test_the_assistant_image_holds_the_catalogue_files_the_actions_read() -> None:
    # bots/actions reads each catalogue's everyday names from domains/<d>/data/synonyms.json; a
    # missing file would leave the deployed assistant without them.
    wanted = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("domains/*/data/synonyms.json")}
    assert len(wanted) >= 4
    held = runtime_files(DOCKER / "assistant.Dockerfile")
    assert wanted <= held, f"not in the assistant image: {sorted(wanted - held)}"
    assert "bots/actions/everyday.py" in held


def test_the_dockerignore_reader_understands_exclusions() -> None:
    ignore = ["*", "!bots/", "bots/.venv"]
    assert in_context("bots/actions", ignore)
    assert not in_context("bots/.venv", ignore)
    assert not in_context("var", ignore)


def test_the_api_image_installs_only_runtime_dependencies_and_serves() -> None:
    steps = instructions(DOCKER / "api.Dockerfile")
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert "pip install -c constraints.txt ." in runs
    assert "[dev]" not in runs and "secantus" not in runs.lower()
    assert ("ENTRYPOINT", '["xuthanh"]') in steps
    assert ("CMD", '["serve", "--host", "0.0.0.0"]') in steps
    requires = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text())
    assert requires and base_image(steps).startswith(f"python:{requires.group(1)}")


def test_the_assistant_image_uses_the_pinned_requirements_and_its_entrypoint_parses() -> None:
    steps = instructions(DOCKER / "assistant.Dockerfile")
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert "pip install -r /app/bots/requirements.txt" in runs
    assert "rasa==3.6.21" in (ROOT / "bots/requirements.txt").read_text()
    entrypoint = DOCKER / "assistant-entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111, "the entrypoint must be executable"
    shell = shutil.which("sh")
    assert shell, "a POSIX sh is needed to check the entrypoint's syntax"
    subprocess.run([shell, "-n", str(entrypoint)], check=True, timeout=30)
    text = entrypoint.read_text()
    assert "-i 0.0.0.0" in text and "SANIC_HOST=0.0.0.0" in text


def test_docs_name_only_files_that_exist() -> None:
    text = (ROOT / "docs/deploy.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:deploy|tests/deploy|docs)/[\w./-]+)`", text))
    assert len(paths) >= 10
    for path in paths:
        assert (ROOT / path.rstrip("/")).exists(), f"docs/deploy.md names {path}, which is missing"
