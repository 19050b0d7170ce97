"""Build the Tang-poem corpus shipped in ``rnncourse/text/data/tang5.txt.gz``.

Source: the npm package ``chinese-poetry`` 2.0.1 (MIT licence, a compilation of the public-domain
*Complete Tang Poems*, 全唐詩, in traditional characters), files ``dist/quantangshi/poet.tang.*.json``
with fields ``author``, ``title``, ``paragraphs``. Only rebuilding the corpus needs npm::

    cd /tmp && npm pack chinese-poetry@2.0.1 && tar xzf chinese-poetry-2.0.1.tgz
    python scripts/build_tang_corpus.py /tmp/package

We keep the five-character poems of regular shape: quatrains (绝句, 4 lines) and regulated verse
(律诗, 8 lines), i.e. 2 or 4 paragraphs of the form ``XXXXX，XXXXX。`` whose 20 or 40 characters are
all CJK ideographs (no lacunae such as □, no notes in brackets). Output: one poem per line,
``author<TAB>title<TAB>body``, UTF-8, gzip-compressed with a fixed mtime (a reproducible file).
"""

import argparse
import glob
import gzip
import json
import os
import re

LINE = re.compile(r"^([\u4e00-\u9fff]{5})，([\u4e00-\u9fff]{5})。$")
OUT = os.path.join(os.path.dirname(__file__), "..", "rnncourse", "text", "data", "tang5.txt.gz")


def keep(poem):
    """True for a five-character quatrain or regulated verse of regular shape."""
    paragraphs = poem.get("paragraphs") or []
    return len(paragraphs) in (2, 4) and all(LINE.match(p) for p in paragraphs)


def clean(field):
    return " ".join(str(field).split()) or "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="the unpacked npm package directory (holds dist/)")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    files = glob.glob(os.path.join(args.package, "dist", "quantangshi", "poet.tang.*.json"))
    files.sort(key=lambda f: int(f.rsplit(".", 2)[-2]))   # poet.tang.0, 1000, 2000, ...
    if not files:
        raise SystemExit(f"no dist/quantangshi/poet.tang.*.json under {args.package}")
    lines, seen, total = [], set(), 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            poems = json.load(f)
        total += len(poems)
        for poem in poems:
            body = "".join(poem["paragraphs"])
            if keep(poem) and body not in seen:    # the compilation repeats some poems
                seen.add(body)
                lines.append(f"{clean(poem['author'])}\t{clean(poem['title'])}\t{body}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                    filename="") as f:
        f.write(data)
    n4 = sum(len(l.split("\t")[2]) == 24 for l in lines)   # 20 characters + 4 marks
    print(f"{total} poems read from {len(files)} files; kept {len(lines)} "
          f"({n4} quatrains, {len(lines) - n4} regulated verses); "
          f"{os.path.getsize(args.out) / 1e6:.2f} MB -> {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
