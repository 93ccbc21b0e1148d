#!/usr/bin/python3
"""add_exif_preview.py SRC.jpg DST.jpg [WIDTH]: copy a JPEG and embed an EXIF
IFD1 preview (WIDTH px wide, default 480) the way cameras do, keeping the
orientation tag, so bench_preview can time the embedded-preview path."""
import io
import struct
import sys

from PIL import Image

src, dst = sys.argv[1], sys.argv[2]
width = int(sys.argv[3]) if len(sys.argv) > 3 else 480
im = Image.open(src)
orient = im.getexif().get(0x0112, 1)
th = im.copy()
th.draft("RGB", (width, width))
th = th.convert("RGB")
th.thumbnail((width, width))
buf = io.BytesIO()
q = 85
while True:
    buf.seek(0)
    buf.truncate()
    th.save(buf, "JPEG", quality=q)
    if buf.tell() < 60000 or q <= 30:
        break
    q -= 10
thumb = buf.getvalue()
# TIFF: IFD0 (orientation) -> IFD1 (JPEGInterchangeFormat + Length) -> data
ifd0 = struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orient, 0) + struct.pack("<I", 26)
ifd1 = struct.pack("<H", 2) + struct.pack("<HHII", 0x0201, 4, 1, 56) + \
    struct.pack("<HHII", 0x0202, 4, 1, len(thumb)) + struct.pack("<I", 0)
tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + ifd1 + thumb
app1 = b"Exif\x00\x00" + tiff
assert len(app1) + 2 < 65536, "thumbnail too big for APP1"
data = open(src, "rb").read()
assert data[:2] == b"\xff\xd8"
# drop the old EXIF APP1 segments, keep everything else
out, i = [b"\xff\xd8", b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1], 2
while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] not in (0xDA, 0xD9):
    seglen = struct.unpack(">H", data[i + 2:i + 4])[0]
    seg = data[i:i + 2 + seglen]
    if not (data[i + 1] == 0xE1 and seg[4:10] == b"Exif\x00\x00"):
        out.append(seg)
    i += 2 + seglen
out.append(data[i:])
open(dst, "wb").write(b"".join(out))
