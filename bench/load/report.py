"""Print Locust's ``*_stats.csv`` as the table the closing note quotes.

.venv/bin/python bench/load/report.py bench/results/load_stats.csv
"""

import csv
import sys

COLUMNS = ("Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%", "Max Response Time")


def main(path: str) -> None:
    with open(path, newline="") as source:
        rows = list(csv.DictReader(source))
    print("| endpoint | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        cells = [row[column] for column in COLUMNS]
        cells[2] = f"{float(cells[2]):.1f}"
        cells[-1] = f"{float(cells[-1]):.0f}"
        print(f"| {row['Name']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
