"""Copy the front-end libraries installed by npm into var/vendor, served as /static/vendor/.

Only the built distribution files are copied; nothing third-party is committed to the repo.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"

# destination folder under vendor/ -> (package folder, files or folders inside it)
ASSETS: dict[str, tuple[str, list[str]]] = {
    "leaflet": ("leaflet/dist", ["leaflet.js", "leaflet.css", "images"]),
    "leaflet.markercluster": (
        "leaflet.markercluster/dist",
        ["leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"],
    ),
    "leaflet.heat": ("leaflet.heat/dist", ["leaflet-heat.js"]),
    "htmx": ("htmx.org/dist", ["htmx.min.js"]),
    "echarts": ("echarts/dist", ["echarts.min.js"]),
    # Embedded in every PDF (cityops.core.pdffonts): TrueType outlines, as reportlab needs.
    "fonts": ("@expo-google-fonts/noto-sans-sc", ["400Regular/NotoSansSC_400Regular.ttf"]),
}
# Used by the browser tests only (accessibility audit); an npm install without dev
# dependencies leaves them out, which is not an error.
DEV_ASSETS: dict[str, tuple[str, list[str]]] = {
    "axe-core": ("axe-core", ["axe.min.js"]),
}


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "vendor"
    missing = []
    for dest, (package, names) in [*ASSETS.items(), *DEV_ASSETS.items()]:
        for name in names:
            src = NODE / package / name
            if not src.exists():
                if dest not in DEV_ASSETS:
                    missing.append(str(src))
                continue
            out = target / dest / name
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, out, dirs_exist_ok=True)
            else:
                shutil.copy2(src, out)
    if missing:
        print("missing front-end files (run `npm ci`):\n  " + "\n  ".join(missing))
        return 1
    print(f"front-end libraries copied to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
