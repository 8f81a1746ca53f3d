"""ECI image cache → ImageCache status, in the product document's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from vkprovider.imagecaches.kinds import CloudImageCache
from vkprovider.imagecaches.status import (
    differs,
    is_expired,
    progress_text,
    refused_status,
    status_from_cloud,
)

PAUSE = "registry-vpc.cn-beijing.aliyuncs.com/acs/pause-amd64:3.0"
NOW = datetime(2019, 10, 24, 13, 40, 58, tzinfo=UTC)
DAY = timedelta(hours=24)

READY: CloudImageCache = {
    "ImageCacheId": "imc-2zeditzeoemfhqor4rf8",
    "Status": "Ready",
    "Progress": "100%",
    "CreationTime": "2019-10-24T13:40:58Z",
    "Events": [
        {
            "Count": 1,
            "FirstTimestamp": "2019-10-24T13:41:40Z",
            "LastTimestamp": "2019-10-24T13:41:40Z",
            "Message": "Success pull image busybox:latest",
            "Name": "busybox:latest",
            "Type": "Normal",
        },
        {
            "Count": 1,
            "FirstTimestamp": "2019-10-24T13:42:06Z",
            "LastTimestamp": "2019-10-24T13:42:06Z",
            "Message": f"Success pull image {PAUSE}",
            "Name": PAUSE,
            "Type": "Normal",
        },
    ],
}


def test_ready_cache_mirrors_the_seed_sample() -> None:
    status = status_from_cloud(
        cache=READY,
        previous={"startTime": "2019-10-24T13:40:58Z"},
        retention_days=7,
        failed_retention=DAY,
        generation=1,
        now=datetime(2019, 10, 24, 13, 44, 17, tzinfo=UTC),
    )
    assert status["phase"] == "Ready"
    assert status["progress"] == "100%"
    assert status["imageCacheId"] == "imc-2zeditzeoemfhqor4rf8"
    assert status["startTime"] == "2019-10-24T13:40:58Z"
    assert status["expireDateTime"] == "2019-10-31T13:40:58Z"
    assert status["events"][0] == {
        "count": 1,
        "eventTime": None,
        "firstTimestamp": "2019-10-24T13:41:40Z",
        "involvedObject": {},
        "lastTimestamp": "2019-10-24T13:41:40Z",
        "message": "Success pull image busybox:latest",
        "metadata": {"creationTimestamp": None, "name": "busybox:latest"},
        "reportingComponent": "",
        "reportingInstance": "",
        "source": {"component": "kubelet", "host": "eci"},
        "type": "Normal",
    }
    assert status["events"][1]["metadata"]["name"].endswith("pause-amd64:3.0")


def test_no_retention_never_expires_and_start_time_is_kept() -> None:
    later = NOW + timedelta(minutes=3)
    status = status_from_cloud(
        cache=READY,
        previous={"startTime": "2019-10-24T13:40:58Z"},
        retention_days=None,
        failed_retention=DAY,
        generation=1,
        now=later,
    )
    assert status["expireDateTime"] is None
    assert status["startTime"] == "2019-10-24T13:40:58Z"
    assert status["lastUpdatedTime"] == "2019-10-24T13:43:58Z"


def test_failed_build_expires_a_day_after_failure_and_stays_put() -> None:
    failed: CloudImageCache = {
        "ImageCacheId": "imc-x",
        "Status": "Failed",
        "Progress": "30",
        "Events": [
            {"Message": "Failed to pull image nosuch:1: manifest unknown", "Type": "Warning"}
        ],
    }
    first = status_from_cloud(
        cache=failed, previous={}, retention_days=7, failed_retention=DAY, generation=1, now=NOW
    )
    assert first["message"] == "Failed to pull image nosuch:1: manifest unknown"
    assert first["progress"] == "30%"
    assert first["expireDateTime"] == "2019-10-25T13:40:58Z"
    again = status_from_cloud(
        cache=failed,
        previous=dict(first),
        retention_days=7,
        failed_retention=DAY,
        generation=1,
        now=NOW + timedelta(minutes=5),
    )
    assert again["expireDateTime"] == first["expireDateTime"]
    assert not differs(dict(first), again)


def test_refused_resource_is_failed_for_a_day_without_a_cache() -> None:
    status = refused_status(
        message="spec.images[0]: invalid image reference 'Nginx'",
        previous={},
        cache_exists=False,
        failed_retention=DAY,
        generation=2,
        now=NOW,
    )
    assert status["phase"] == "Failed"
    assert status["expireDateTime"] == "2019-10-25T13:40:58Z"
    assert status["observedGeneration"] == 2
    assert is_expired(dict(status), now=NOW + DAY)
    assert not is_expired(dict(status), now=NOW + DAY - timedelta(seconds=1))


def test_refused_edit_keeps_the_existing_cache() -> None:
    previous = {"phase": "Ready", "imageCacheId": "imc-a", "progress": "100%"}
    status = refused_status(
        message="m",
        previous=previous,
        cache_exists=True,
        failed_retention=DAY,
        generation=3,
        now=NOW,
    )
    assert (status["phase"], status["imageCacheId"], status["expireDateTime"]) == (
        "UpdateFailed",
        "imc-a",
        None,
    )


def test_progress_is_a_percentage() -> None:
    assert [progress_text(v) for v in ("45%", "45", 45, None, "x", 130)] == [
        "45%",
        "45%",
        "45%",
        "0%",
        "0%",
        "100%",
    ]


def test_a_status_stored_without_its_nulls_is_unchanged() -> None:
    status = status_from_cloud(
        cache=READY, previous={}, retention_days=None, failed_retention=DAY, generation=1, now=NOW
    )
    stored = json.loads(json.dumps(status))
    for event in stored["events"]:
        del event["eventTime"]
        del event["metadata"]["creationTimestamp"]
    del stored["expireDateTime"]
    assert not differs(stored, status)
    assert differs({**stored, "progress": "99%"}, status)


def test_event_times_from_a_clock_running_ahead_are_clamped_and_then_kept() -> None:
    early = NOW + timedelta(seconds=30)  # ECI's clock says 13:41:40 and 13:42:06
    first = status_from_cloud(
        cache=READY, previous={}, retention_days=None, failed_retention=DAY, generation=1, now=early
    )
    assert [e["firstTimestamp"] for e in first["events"]] == ["2019-10-24T13:41:28Z"] * 2
    later = status_from_cloud(
        cache=READY,
        previous=json.loads(json.dumps(first)),
        retention_days=None,
        failed_retention=DAY,
        generation=1,
        now=early + timedelta(minutes=5),
    )
    assert later["events"] == first["events"]
    assert not differs(json.loads(json.dumps(first)), later)
