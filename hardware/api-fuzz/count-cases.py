#!/usr/bin/env python3
"""Counts what a Schemathesis run sent, from its NDJSON report: `count-cases.py REPORT.ndjson [--summary FILE]`.

Prints the number of generated test cases (the figure run.sh compares with API_FUZZ_MIN_CASES). With --summary,
also writes per operation the number of cases and the statuses and error codes the daemon answered (what the run
reached, for the log of the last run).
"""

import base64
import json
import sys
from collections import Counter, defaultdict


def main() -> int:
    args = sys.argv[1:]
    summary_path = None
    if "--summary" in args:
        index = args.index("--summary")
        summary_path = args[index + 1]
        del args[index : index + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    cases: dict[str, set[str]] = defaultdict(set)
    answers: dict[str, Counter] = defaultdict(Counter)
    with open(args[0], encoding="utf-8") as handle:
        for line in handle:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished.get("recorder")
            if not recorder:
                continue
            label = recorder["label"]
            cases[label].update(recorder.get("cases", {}).keys())
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                if not response:
                    answers[label]["no answer"] += 1
                    continue
                status = response["status_code"]
                code = ""
                content = response.get("content") or {}
                if "$base64" in content and status >= 400:
                    try:
                        code = " " + json.loads(base64.b64decode(content["$base64"]))["error"]
                    except (ValueError, KeyError, TypeError):
                        code = " (no JSON error)"
                method = interaction["request"]["method"]
                answers[label][f"{method} {status}{code}"] += 1
    total = sum(len(ids) for ids in cases.values())
    print(total)
    if summary_path:
        with open(summary_path, "w", encoding="utf-8") as out:
            for label in sorted(cases):
                out.write(f"{label}: {len(cases[label])} cases\n")
                for answer, count in sorted(answers[label].items()):
                    out.write(f"    {count:5d}  {answer}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
