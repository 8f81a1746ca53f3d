"""The stream translator's reading of a kubelet's error stream, as client-go and kube-apiserver do.

The end-to-end translation (a v5 WebSocket through the embedded server to the
agent's SPDY kubelet) is in `tests/vkprovider/kubelet/test_exec.py`; here are
the answers no simulated command produces.
"""

from __future__ import annotations

import hashlib
import json

from localkube import spdydictionary, streamtranslation
from vkprovider.kubelet import spdydictionary as kubelet_dictionary

V4 = "v4.channel.k8s.io"


def test_the_embedded_servers_dictionary_is_the_kubelets() -> None:
    assert spdydictionary.DICTIONARY == kubelet_dictionary.DICTIONARY
    digest = hashlib.sha256(spdydictionary.DICTIONARY).hexdigest()
    assert digest == "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02"


def test_a_kubelets_failure_without_exit_code_becomes_an_internal_error() -> None:
    kubelet = {"metadata": {}, "status": "Failure", "message": "no such container", "code": 404}
    status = streamtranslation.decode_error_stream(json.dumps(kubelet).encode(), V4)
    assert status == {
        "metadata": {},
        "status": "Failure",
        "message": "Internal error occurred: no such container",
        "reason": "InternalError",
        "details": {"causes": [{"message": "no such container"}]},
        "code": 500,
    }


def test_protocol_errors_in_the_error_stream_are_named() -> None:
    no_cause = {"status": "Failure", "reason": "NonZeroExitCode", "details": {"causes": []}}
    status = streamtranslation.decode_error_stream(json.dumps(no_cause).encode(), V4)
    assert status["message"] == (
        "Internal error occurred: error stream protocol error: no ExitCode cause given"
    )
    status = streamtranslation.decode_error_stream(b'{"status": "Pending"}', V4)
    assert (
        status["message"] == "Internal error occurred: error stream protocol error: unknown error"
    )
    bad_code = {
        "status": "Failure",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "300"}]},
    }
    status = streamtranslation.decode_error_stream(json.dumps(bad_code).encode(), V4)
    assert 'invalid exit code value "300"' in status["message"]


def test_v3_and_v2_error_streams_are_text() -> None:
    assert streamtranslation.decode_error_stream(b"", "v3.channel.k8s.io") == {
        "metadata": {},
        "status": "Success",
    }
    status = streamtranslation.decode_error_stream(b"it broke", "v2.channel.k8s.io")
    assert status["message"] == "Internal error occurred: error executing remote command: it broke"
