"""The kubelet's serving certificate: the one given, or a self-signed one made once.

The generated pair is stored under the state directory and reused on the
next start (so clients that pinned it keep working). Key: ECDSA P-256;
subject alternative names: the node name, localhost and the bind address.
"""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from vkprovider.settings import KubeletSettings


def self_signed(*, node_name: str, host: str, cert_path: Path, key_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{node_name}@vk-eci")])
    alt_names: list[x509.GeneralName] = [x509.DNSName(node_name), x509.DNSName("localhost")]
    for address in {host, "127.0.0.1"}:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(address)))
        except ValueError:
            alt_names.append(x509.DNSName(address))
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def server_context(
    settings: KubeletSettings, *, node_name: str, default_client_ca: str = ""
) -> tuple[ssl.SSLContext, Path]:
    """TLS context for the kubelet server, and the certificate file it serves.

    Client certificates signed by `settings.client_ca_file` (else `default_client_ca`, the
    cluster CA of the agent's kubeconfig) are asked for, not required: a caller without one
    still gets to present a bearer token."""
    if settings.tls_cert_file and settings.tls_key_file:
        cert_path = Path(settings.tls_cert_file)
        key_path = Path(settings.tls_key_file)
    else:
        state = Path(settings.state_dir)
        cert_path = state / f"kubelet-{node_name}.crt"
        key_path = state / f"kubelet-{node_name}.key"
        if not (cert_path.exists() and key_path.exists()):
            self_signed(
                node_name=node_name, host=settings.host, cert_path=cert_path, key_path=key_path
            )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_path), str(key_path))
    client_ca = settings.client_ca_file or default_client_ca
    if client_ca:
        # kube-apiserver authenticates to kubelets with a client certificate.
        context.load_verify_locations(cafile=client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL
    return context, cert_path
