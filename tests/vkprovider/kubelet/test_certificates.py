"""The kubelet's serving certificate: generated once, reused, or the one given."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from vkprovider.kubelet.certificates import server_context
from vkprovider.settings import KubeletSettings


def test_self_signed_certificate_is_made_once_and_reused(tmp_path: Path) -> None:
    settings = KubeletSettings(state_dir=str(tmp_path / "state"))
    _, first = server_context(settings, node_name="vk-1")
    pem = first.read_bytes()
    _, second = server_context(settings, node_name="vk-1")
    assert second == first
    assert second.read_bytes() == pem
    certificate = x509.load_pem_x509_certificate(pem)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "vk-1" in names.get_values_for_type(x509.DNSName)
    key = tmp_path / "state" / "kubelet-vk-1.key"
    assert key.stat().st_mode & 0o077 == 0


def test_given_certificate_is_used(tmp_path: Path) -> None:
    generated = KubeletSettings(state_dir=str(tmp_path / "made"))
    _, cert = server_context(generated, node_name="elsewhere")
    key = cert.with_suffix(".key")
    given = KubeletSettings(
        tls_cert_file=str(cert), tls_key_file=str(key), state_dir=str(tmp_path / "unused")
    )
    _, used = server_context(given, node_name="vk-2")
    assert used == cert
    assert not (tmp_path / "unused").exists()
