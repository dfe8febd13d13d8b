"""Micro-benchmark of the in-process search engine on synthetic catalogues (not a test).

    python -m bench.search_engine            # both sizes, each in its own process
    python -m bench.search_engine --kind procedures --documents 2000

Prints build time, resident memory added by the index, query latency (p50/p95/max over a mix of
plain, accented, misspelt, half-typed, synonym and code queries) and the cost of one upsert or
delete including the commit that makes it visible. The documents are generated from a fixed list
of Vietnamese syllables (synthetic, seeded), procedure-sized (name, aliases, ~350 words of body)
or short (a name and a line).
"""

import argparse
import gc
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from domains.search import IndexSpec, SearchIndex, TextField

SYLLABLE_TEXT = """
đăng ký khai sinh kết hôn tử vong cấp giấy phép chứng nhận quyền sử dụng đất xây dựng nhà
ở hộ chiếu căn cước công dân lái xe đổi bằng học sinh trường mầm non tiểu học trung cơ sở
phổ thông bệnh viện trạm y tế bảo hiểm xã hội thuế doanh nghiệp hộ kinh doanh hợp tác đầu
tư văn hóa du lịch lễ hội di tích thể thao thanh niên lao động việc làm người có công
thương binh liệt sĩ nuôi con giám hộ thay đổi cải chính họ tên quốc tịch tạm trú thường
trú công an ủy ban nhân dân tỉnh huyện xã phường thị trấn sở tài nguyên môi trường giao
vận tải nông nghiệp phát triển thôn bản biển núi sông cầu đường chợ đền chùa miếu đình
làng nghề sầm sơn hàm rồng lam kinh thành nhà hồ bến en pù luông cửa đạt xuân liên hồ sơ
thủ tục lệ phí thời hạn giải quyết nộp trực tuyến bản sao chứng thực hợp đồng giao dịch
xác nhận tình trạng hôn nhân cư trú
"""
SYLLABLES = SYLLABLE_TEXT.split()
SYNONYMS = {
    "cccd": ["căn cước công dân"],
    "gplx": ["giấy phép lái xe"],
    "bhyt": ["bảo hiểm y tế"],
    "sổ đỏ": ["giấy chứng nhận quyền sử dụng đất"],
}
QUERIES = [
    "khai sinh",
    "dang ky khai sinh",
    "Đăng ký kết hôn",
    "cap giay phep xay dung",
    "thay doi ho ten cho con",
    "chung nhan quyen su dung dat",
    "sầm sơn",
    "ho chieu",
    "chứng thựcc bản sao",
    "bảo hiểmm xã hội",
    "dang ky kh",
    "giay phep lai x",
    "cccd",
    "đổi gplx",
    "so do",
    "bhyt cho hoc sinh",
    "1.001193",
    "thủ tục 2.000123",
    'khai "sinh" AND (ket -hon)*',
    "truong tieu hoc gan nha",
]
SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),
        TextField("aliases", boost=2.0, word_set=True),  # as the catalogues' everyday names
        TextField("body", expand=False),
    ),
    code_fields=("code",),
    filter_fields=("agency",),
    stored_fields=("name", "code", "agency"),
)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(count))


def documents(kind: str, count: int, seed: int = 13) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        if kind == "procedures":
            made.append(
                {
                    "id": f"p{number}",
                    "name": words(rng, rng.randint(4, 12)).capitalize(),
                    "aliases": [words(rng, 3) for _ in range(rng.randint(0, 3))],
                    "body": ". ".join(words(rng, 14) for _ in range(25)),
                    "code": f"{rng.randint(1, 2)}.{number:06d}",
                    "agency": rng.choice(["UBND cấp xã", "Công an", "Sở Xây dựng", "Sở Y tế"]),
                }
            )
        else:
            made.append(
                {
                    "id": f"s{number}",
                    "name": words(rng, rng.randint(3, 6)).capitalize(),
                    "body": words(rng, rng.randint(6, 20)),
                    "code": f"s.{number:06d}",
                    "agency": rng.choice(["Thành phố", "Huyện", "Thị xã"]),
                }
            )
    return made


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(kind: str, count: int) -> None:
    source = documents(kind, count)
    gc.collect()
    before = rss_mb()
    index = SearchIndex(SPEC, synonyms=SYNONYMS)
    started = time.perf_counter()
    index.replace_all(source)
    build_seconds = time.perf_counter() - started
    gc.collect()
    index_mb = rss_mb() - before

    latencies = []
    for _ in range(25):
        for text in QUERIES:
            started = time.perf_counter()
            index.search(text, limit=10)
            latencies.append((time.perf_counter() - started) * 1000)

    upserts = []
    for number in range(50):
        changed = dict(source[number], name=f"Đổi tên {number}")
        started = time.perf_counter()
        index.upsert(changed)
        upserts.append((time.perf_counter() - started) * 1000)
    deletes = []
    for number in range(50, 100):
        started = time.perf_counter()
        index.delete(source[number]["id"])
        deletes.append((time.perf_counter() - started) * 1000)
    after_writes = [index.search(text).total for text in QUERIES[:3]]
    print(
        f"| {kind} | {count:,} | {build_seconds:.2f} s | {index_mb:.0f} MB "
        f"| {statistics.median(latencies):.2f} / {percentile(latencies, 0.95):.2f} / "
        f"{max(latencies):.2f} ms | {statistics.median(upserts):.1f} ms "
        f"| {statistics.median(deletes):.1f} ms |"
    )
    if not all(after_writes):
        raise SystemExit("the index stopped answering after the writes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["procedures", "short"])
    parser.add_argument("--documents", type=int)
    args = parser.parse_args()
    if args.kind:
        measure(args.kind, args.documents or 2000)
        return
    print(
        "| catalogue | documents | build | index RSS | query p50 / p95 / max "
        "| upsert (commit + reload) | delete |"
    )
    print("|---|---|---|---|---|---|---|")
    for kind, count in [("procedures", 2000), ("short", 10_000)]:
        # A fresh process per size, so the memory figure is the index's alone.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.search_engine",
                "--kind",
                kind,
                "--documents",
                str(count),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
