"""``stored:`` photo references name a plain file under the media folder, never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.wechat.convert import media_file
from common.media import stored_path, stored_ref


def test_stored_references_stay_in_their_folder(tmp_path: Path) -> None:
    ref = stored_ref(media_file("AbC-123_x/../../etc"))
    assert stored_path(tmp_path, ref) == tmp_path / "wechat-AbC-123_xetc.jpg"
    for bad in ("stored:../passwd", "stored:/etc/passwd", "stored:a/b.jpg", "stored:", "AgACAgIAAxkBAAI"):
        assert stored_path(tmp_path, bad) is None, bad
    assert stored_path(None, ref) is None
    with pytest.raises(ValueError):
        stored_ref("../x")
