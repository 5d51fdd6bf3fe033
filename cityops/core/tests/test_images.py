"""Photo validation and processing (cityops.core.images), with images made in memory."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, TiffImagePlugin

from cityops.core.errors import DomainError
from cityops.core.images import process_image


def _image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    # A marker in the top-left quadrant shows where orientation moved the picture.
    image.paste((0, 0, 255) if mode == "RGB" else 0, (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = round((minutes_full - minutes) * 60 * 10000)
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(seconds, 10000),
    )


def _camera_exif(
    lon: float = 122.263, lat: float = 43.6172, orientation: int = 1, offset: str = ""
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = _dms(abs(lat))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = _dms(abs(lon))
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2026:01:15 08:30:00"
    if offset:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    return exif


def test_jpeg_with_gps_keeps_evidence_and_strips_public_copies() -> None:
    raw = _image_bytes(exif=_camera_exif())
    result = process_image(raw)

    assert result.original == raw
    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (640, 480)
    assert result.gps is not None
    lon, lat = result.gps
    assert lon == pytest.approx(122.263, abs=1e-5)
    assert lat == pytest.approx(43.6172, abs=1e-5)
    assert result.taken_at == datetime(2026, 1, 15, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    # The evidence keeps the GPS; the public copy and the thumbnail carry no metadata at all.
    assert Image.open(io.BytesIO(result.original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for derived in (result.public, result.thumbnail):
        opened = Image.open(io.BytesIO(derived))
        assert opened.format == "JPEG"
        assert len(opened.getexif()) == 0
        assert "exif" not in opened.info
        assert b"Exif" not in derived
        assert b"TestCam" not in derived
    import hashlib

    assert result.sha256 == hashlib.sha256(raw).hexdigest()


def test_southern_western_coordinates_and_explicit_offset() -> None:
    result = process_image(_image_bytes(exif=_camera_exif(lon=-70.5, lat=-33.25, offset="-04:00")))
    assert result.gps is not None
    assert result.gps[0] == pytest.approx(-70.5, abs=1e-5)
    assert result.gps[1] == pytest.approx(-33.25, abs=1e-5)
    assert result.taken_at is not None
    assert result.taken_at.utcoffset() == -timedelta(hours=4)


def test_orientation_is_applied_to_public_copy() -> None:
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise.
    result = process_image(_image_bytes(exif=_camera_exif(orientation=6)))
    assert (result.width, result.height) == (480, 640)
    public = Image.open(io.BytesIO(result.public))
    assert public.size == (480, 640)
    # The blue marker was top-left; after a 90° clockwise turn it is top-right.
    r, _g, b = public.convert("RGB").getpixel((470, 10))  # type: ignore[misc]
    assert b > 200
    assert r < 60


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted_and_have_no_gps(fmt: str, content_type: str) -> None:
    result = process_image(_image_bytes(fmt=fmt, size=(1000, 200)))
    assert result.content_type == content_type
    assert result.gps is None
    assert result.taken_at is None
    assert Image.open(io.BytesIO(result.public)).format == "JPEG"


def test_transparent_png_is_flattened() -> None:
    result = process_image(_image_bytes(fmt="PNG", mode="RGBA", size=(50, 50)))
    assert Image.open(io.BytesIO(result.public)).mode == "RGB"


@override_settings(CITYOPS_THUMBNAIL_PX=100)
def test_thumbnail_longest_side_follows_setting() -> None:
    result = process_image(_image_bytes(size=(1000, 400)))
    assert Image.open(io.BytesIO(result.thumbnail)).size == (100, 40)


def test_uploaded_file_is_judged_by_content_not_name() -> None:
    upload = SimpleUploadedFile("report.pdf", _image_bytes(fmt="PNG"), "application/pdf")
    assert process_image(upload).content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "not_image"),
        (b"<!doctype html><html><script>alert(1)</script></html>", "not_image"),
        (b"", "image_empty"),
    ],
)
def test_non_images_named_jpg_are_refused(content: bytes, code: str) -> None:
    with pytest.raises(DomainError) as info:
        process_image(SimpleUploadedFile("photo.jpg", content, "image/jpeg"))
    assert info.value.code == code
    assert str(info.value.message)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(fmt: str) -> None:
    with pytest.raises(DomainError) as info:
        process_image(_image_bytes(fmt=fmt, size=(20, 20)))
    assert info.value.code == "image_unsupported"
    assert fmt in str(info.value.message)


def test_too_large_by_bytes() -> None:
    raw = _image_bytes()
    with pytest.raises(DomainError) as info:
        process_image(raw, max_bytes=len(raw) - 1)
    assert info.value.code == "image_too_large"
    with override_settings(CITYOPS_MAX_IMAGE_BYTES=100), pytest.raises(DomainError) as info:
        process_image(SimpleUploadedFile("a.jpg", raw, "image/jpeg"))
    assert info.value.code == "image_too_large"


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # A 20000 × 20000 PNG compresses to a few hundred kB but would need 1.2 GB decoded.
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 10 * 1024 * 1024
    with pytest.raises(DomainError) as info:
        process_image(bomb.getvalue())
    assert info.value.code == "image_too_many_pixels"
    with pytest.raises(DomainError) as info:
        process_image(_image_bytes(size=(200, 200)), max_pixels=10_000)
    assert info.value.code == "image_too_many_pixels"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_refused(fmt: str) -> None:
    raw = _image_bytes(fmt=fmt, size=(800, 600))
    with pytest.raises(DomainError) as info:
        process_image(raw[: len(raw) // 2])
    assert info.value.code == "image_corrupt"


def test_messages_are_translated() -> None:
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(DomainError) as info:
        process_image(b"not an image at all")
    assert str(info.value.message) == "该文件不是图片（应为 JPEG、PNG 或 WebP）。"
    with translation.override("zh-hans"), pytest.raises(DomainError) as info:
        process_image(b"x" * 200, max_bytes=100)
    assert str(info.value.message) == "图片过大（最大 100\xa0字节）。"
