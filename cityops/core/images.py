"""Validation and processing of uploaded photos (case before/after images).

The upload is judged by its content, never its name: Pillow must recognise it as JPEG, PNG or
WebP and decode it completely. The original bytes are kept unchanged as evidence for staff
(with their EXIF, including the GPS position); everything shown to the public is re-encoded
without any metadata (issue 3, "Photos").
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from cityops.core.errors import DomainError

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_THUMBNAIL_PX = 320
PUBLIC_QUALITY = 85
THUMBNAIL_QUALITY = 80
# EXIF times without an offset are local camera time; the platform's cameras are in China.
CAMERA_TZ = ZoneInfo("Asia/Shanghai")

_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True)
class ProcessedImage:
    original: bytes  # the uploaded bytes, unchanged (evidence, staff only; keeps EXIF)
    public: bytes  # re-encoded JPEG, all metadata stripped, orientation applied
    thumbnail: bytes  # JPEG, longest side settings.CITYOPS_THUMBNAIL_PX
    content_type: str  # of the original, detected from content
    width: int  # after orientation
    height: int
    gps: tuple[float, float] | None  # (lon, lat) WGS-84 from EXIF GPS
    taken_at: datetime | None  # EXIF DateTimeOriginal (Asia/Shanghai when no offset)
    sha256: str


def _max_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    return int(getattr(settings, "CITYOPS_MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES))


def _too_large(limit: int) -> DomainError:
    return DomainError(
        gettext("The image is too large (at most %(limit)s).") % {"limit": filesizeformat(limit)},
        code="image_too_large",
    )


def _read(data: bytes | UploadedFile, limit: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        if data.size is not None and data.size > limit:
            raise _too_large(limit)
        data.seek(0)
        chunks: list[bytes] = []
        total = 0
        for chunk in data.chunks():
            total += len(chunk)
            if total > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        raw = b"".join(chunks)
    if len(raw) > limit:
        raise _too_large(limit)
    if not raw:
        raise DomainError(gettext("The file is empty."), code="image_empty")
    return raw


def _open(raw: bytes, max_pixels: int) -> Image.Image:
    """Identify and fully decode the image, refusing bombs, truncation and other formats."""
    not_image = DomainError(
        gettext("The file is not an image (JPEG, PNG or WebP expected)."), code="not_image"
    )
    bomb = DomainError(
        gettext("The image has too many pixels (at most %(limit)s megapixels).")
        % {"limit": max_pixels // 1_000_000},
        code="image_too_many_pixels",
    )
    corrupt = DomainError(gettext("The image is damaged or incomplete."), code="image_corrupt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(raw))
        except UnidentifiedImageError as exc:
            raise not_image from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise corrupt from exc
        if probe.format not in CONTENT_TYPES:
            raise DomainError(
                gettext("Unsupported image format %(format)s: use JPEG, PNG or WebP.")
                % {"format": probe.format or "?"},
                code="image_unsupported",
            )
        width, height = probe.size
        if width <= 0 or height <= 0 or width * height > max_pixels:
            raise bomb
        try:
            probe.verify()
            # verify() leaves the image unusable: decode a fresh one completely.
            image = Image.open(io.BytesIO(raw))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb from exc
        except (OSError, SyntaxError, ValueError, UnidentifiedImageError) as exc:
            raise corrupt from exc
    return image


def _rational(value: Any) -> float:
    return float(value)


def _dms(values: Any, ref: Any, negative: str) -> float | None:
    try:
        degrees, minutes, seconds = (_rational(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip().upper().startswith(negative):
        result = -result
    return result


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return None
    lat = _dms(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef, "N"), "S")
    lon = _dms(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef, "E"), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # cameras without a fix write zeros
        return None
    return (round(lon, 7), round(lat, 7))


def _offset(text: Any) -> timezone | None:
    value = str(text or "").strip()
    if len(value) != 6 or value[0] not in "+-" or value[3] != ":":
        return None
    try:
        delta = timedelta(hours=int(value[1:3]), minutes=int(value[4:6]))
    except ValueError:
        return None
    return timezone(-delta if value[0] == "-" else delta)


def _taken_at(exif: Image.Exif) -> datetime | None:
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    text = sub.get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME)
    if not text:
        return None
    try:
        naive = datetime.strptime(str(text).strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    tz = _offset(sub.get(_TAG_OFFSET_TIME_ORIGINAL)) or CAMERA_TZ
    return naive.replace(tzinfo=tz)


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif/icc_profile/comment arguments: Pillow then writes no metadata at all.
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def process_image(
    data: bytes | UploadedFile,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    thumbnail_px: int | None = None,
) -> ProcessedImage:
    """Validate an uploaded photo by content and derive its public copy and thumbnail.

    Raises :class:`DomainError` (translated message, ``code`` for APIs) for files that are not
    images, unsupported formats, files over the size or pixel limit and damaged files.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a global Pillow switch: never accept half images
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    raw = _read(data, _max_bytes(max_bytes))
    pixels = max_pixels or int(getattr(settings, "CITYOPS_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
    size = thumbnail_px or int(getattr(settings, "CITYOPS_THUMBNAIL_PX", DEFAULT_THUMBNAIL_PX))
    image = _open(raw, pixels)
    content_type = CONTENT_TYPES[str(image.format)]
    exif = image.getexif()
    gps, taken_at = _gps(exif), _taken_at(exif)
    oriented = _rgb(ImageOps.exif_transpose(image))
    public = _jpeg(oriented, PUBLIC_QUALITY)
    thumb = oriented.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    return ProcessedImage(
        original=raw,
        public=public,
        thumbnail=_jpeg(thumb, THUMBNAIL_QUALITY),
        content_type=content_type,
        width=oriented.width,
        height=oriented.height,
        gps=gps,
        taken_at=taken_at,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
