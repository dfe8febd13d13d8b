"""Firebase ID tokens for tests, verified by the real firebase-admin code path.

A locally generated RSA key signs RS256 tokens; a local HTTP server publishes its certificate in
the format Google uses (key id -> PEM certificate), and the app's settings point the SDK at it.
"""

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PROJECT_ID = "xuthanh-test"


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    certificate_pem: str

    @classmethod
    def generate(cls) -> "SigningKey":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xuthanh-test-signer")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        return cls(kid=uuid.uuid4().hex, private_key=key, certificate_pem=pem)


@dataclass
class TokenIssuer:
    """Mints tokens the way Firebase Auth does, with knobs to break each check."""

    key: SigningKey
    cert_url: str
    project_id: str = PROJECT_ID
    other_key: SigningKey = field(default_factory=SigningKey.generate)

    def token(
        self,
        uid: str,
        *,
        expires_in: timedelta = timedelta(hours=1),
        audience: str | None = None,
        issuer: str | None = None,
        kid: str | None = None,
        sign_with: SigningKey | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = datetime.now(UTC)
        project = self.project_id
        claims = {
            "iss": issuer or f"https://securetoken.google.com/{project}",
            "aud": audience or project,
            "auth_time": int((now - timedelta(minutes=5)).timestamp()),
            "sub": uid,
            "iat": int((now - timedelta(minutes=1)).timestamp()),
            "exp": int((now + expires_in).timestamp()),
            "firebase": {"sign_in_provider": "phone", "identities": {}},
            **(extra or {}),
        }
        signer = sign_with or self.key
        return jwt.encode(
            claims, signer.private_key, algorithm="RS256", headers={"kid": kid or self.key.kid}
        )


@contextmanager
def certificate_server(key: SigningKey) -> Iterator[str]:
    """Serve ``{kid: certificate}`` on 127.0.0.1; yields the URL."""
    body = json.dumps({key.kid: key.certificate_pem}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "public, max-age=3600")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    finally:
        server.shutdown()
        server.server_close()


def service_account_json(project_id: str = PROJECT_ID) -> str:
    """A syntactically valid service-account file with a locally generated key (no real account)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": uuid.uuid4().hex,
            "private_key": pem,
            "client_email": f"test@{project_id}.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": "http://127.0.0.1:9/token",
        }
    )
