"""JT/T 808 codec alone, one core: location frames (0x0200 with additional items, the
worked example of cn-standards.md §7 and a 2019-edition frame) split from a byte stream,
unescaped, checksum-verified and decoded, in frames per second. Also the encoder (the
platform's 0x8001 reply). Anchor: SmallChi/JT808 (C#) decodes ≈ 1 M 0x0200/s on one core.

    python bench/jt808_codec.py [--frames 200000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import best_of, machine
from cityops.vehicles.jt808 import codec as c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200_000)
    args = parser.parse_args()
    print(machine())
    t0 = dt.datetime(2026, 11, 20, 6, 30, tzinfo=c.BEIJING)
    frames = []
    for i in range(1000):
        loc = c.Location(
            0, 3, 43_600_000 + i, 122_250_000 + i, 180, 80 + i % 30, i % 360,
            t0 + dt.timedelta(seconds=i), ((0x01, b"\x00\x00\x01\x00"), (0x30, b"\x1f")),
        )  # fmt: skip
        version = c.V2019 if i % 2 else c.V2013
        header = c.Header(c.MsgId.LOCATION, f"1391234{i:04d}", i, version, i % 2)
        frames.append(c.encode_frame(header, loc.encode()))
    reps = max(1, args.frames // len(frames))
    stream = b"".join(frames) * reps
    n = len(frames) * reps

    def decode_stream() -> None:
        splitter = c.FrameSplitter()
        decode_frame, decode_loc = c.decode_frame, c.Location.decode
        for k in range(0, len(stream), 65536):
            for part in splitter.feed(stream[k : k + 65536]):
                frame = decode_frame(part)
                decode_loc(frame.body)

    def header_only() -> None:
        splitter = c.FrameSplitter()
        for k in range(0, len(stream), 65536):
            for part in splitter.feed(stream[k : k + 65536]):
                c.decode_frame(part)

    def encode_replies() -> None:
        h = c.Header(c.MsgId.PLATFORM_REPLY, "13912340001", 0)
        for i in range(n):
            c.encode_frame(h, c.GeneralReply(i & 0xFFFF, 0x0200, 0).encode())

    for name, fn in (
        ("split + unescape + checksum + header + 0x0200 body", decode_stream),
        ("split + unescape + checksum + header only", header_only),
        ("encode 0x8001 replies", encode_replies),
    ):
        seconds = best_of(3, fn)
        print(f"{name:55s} {n / seconds:12,.0f} frames/s  ({n:,} frames, {seconds:.2f} s)")


if __name__ == "__main__":
    main()
