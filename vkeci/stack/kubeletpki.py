"""The embedded stack's kubelet client PKI: a CA and the API server's kubelet client certificate.

The agent's kubelet API authenticates its callers by default, as a kubeadm kubelet does,
and kube-apiserver reaches kubelets (`kubectl logs`) with a client certificate signed by a
CA the kubelet trusts. With no cluster there is no cluster CA, so the embedded stack makes
one per run: the embedded API server presents the certificate, the agent trusts the CA.
Names follow kubeadm's (`kube-apiserver-kubelet-client`, group `system:masters`). The key
of the CA is never written: nothing else is ever signed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLIENT_NAME = "kube-apiserver-kubelet-client"
CLIENT_GROUP = "system:masters"
VALID_DAYS = 30


@dataclass(frozen=True)
class KubeletClientPki:
    """Where the CA (for the agent) and the client certificate and key (for the API server) are."""

    ca_file: Path
    certificate_file: Path
    key_file: Path


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_kubelet_client_pki(directory: Path) -> KubeletClientPki:
    """Write a fresh CA certificate and a client certificate it signed (with its key)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("vk-eci-kubelet-client-ca", "vk-eci")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(CLIENT_NAME, CLIENT_GROUP))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pki = KubeletClientPki(
        ca_file=directory / "kubelet-client-ca.crt",
        certificate_file=directory / "apiserver-kubelet-client.crt",
        key_file=directory / "apiserver-kubelet-client.key",
    )
    pki.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pki.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pki.key_file.chmod(0o600)
    return pki
