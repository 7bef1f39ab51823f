"""A phone photo for the responsive-image tests: 4000 x 3000 JPEG with a GPS position."""

from __future__ import annotations

from functools import cache
from io import BytesIO

from PIL import ExifTags, Image

#: What the GPS block says: Berlin.
GPS = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}


@cache
def phone_photo(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A photo-like JPEG (gradients and grain, so it weighs what a photo does) with EXIF:
    camera, GPS position."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    grain = Image.effect_noise(size, 24).point(lambda v: v // 4)
    red = Image.blend(gradient, grain, 0.3)
    green = Image.blend(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grain, 0.3)
    blue = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (red, green, blue))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    assert (width, height) == Image.open(BytesIO(out.getvalue())).size
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """Whether an image file carries EXIF (any), GPS or XMP."""
    with Image.open(BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif) or "exif" in image.info or "xmp" in image.info or b"GPS" in data
