"""The config file sets the ImageCache controller's section like every other one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from vkprovider.configuration import ConfigurationError, load_settings_file
from vkprovider.settings import ImageCacheSettings


def test_config_file_sets_imagecache_settings(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(
        "imagecaches:\n"
        "  workers: 2\n"
        "  build_poll_seconds: 0.5\n"
        "  label_selector: team=ml\n"
        "  failed_retention: 3600\n"
        "  retry: {max_retry_after_seconds: 5}\n"
    )
    settings = load_settings_file(path).imagecaches
    assert settings.workers == 2
    assert settings.build_poll_seconds == 0.5
    assert settings.label_selector == "team=ml"
    assert settings.failed_retention == timedelta(hours=1)
    assert settings.retry.max_retry_after_seconds == 5
    # Keys not named keep the section's own defaults (the ImageCache back-off, not the Pods').
    assert settings.retry.backoff_seconds == ImageCacheSettings().retry.backoff_seconds
    assert settings.resync_seconds == ImageCacheSettings().resync_seconds


def test_config_file_rejects_a_typo_in_the_imagecache_section(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("imagecaches: {wrokers: 2}\n")
    with pytest.raises(ConfigurationError, match=r"config\.imagecaches\.wrokers: unknown setting"):
        load_settings_file(path)
