"""Evaluate the NLU model on the held-out test set, as written and with every diacritic removed.

1. Checks that no test question (folded) appears in the training data (folded): the set is
   held out, never trained on.
2. Runs `rasa test nlu` on tests/nlu_test.yml and on a copy with the diacritics stripped.
3. Prints intent macro-F1 and entity F1 for both; fails when an intent macro-F1 is below the
   threshold (0.90 unless --threshold says otherwise).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BOTS = Path(__file__).resolve().parent.parent
TEST_SET = BOTS / "tests" / "nlu_test.yml"
RESULTS = BOTS / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import prepare_data  # noqa: E402


def _examples(path: Path) -> set:
    return {
        line.strip()[2:]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("      - ")
    }


def _key(example: str) -> str:
    return prepare_data.strip_diacritics(example).lower().strip()


def check_held_out() -> list:
    training = set()
    for path in (BOTS / "data").rglob("*.yml"):
        training |= {_key(example) for example in _examples(path)}
    return sorted(example for example in _examples(TEST_SET) if _key(example) in training)


def run_rasa_test(model: Path, nlu_file: Path, out: Path) -> None:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    rasa = Path(sys.executable).with_name("rasa")
    command = [
        str(rasa), "test", "nlu", "--model", str(model), "--nlu", str(nlu_file),
        "--out", str(out), "--no-plot", "--no-errors",
    ]
    subprocess.run(command, cwd=BOTS, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def scores(out: Path) -> dict:
    intents = json.loads((out / "intent_report.json").read_text())
    result = {"intent_macro_f1": intents["macro avg"]["f1-score"],
              "intent_accuracy": intents.get("accuracy")}
    entity_report = out / "DIETClassifier_report.json"
    if entity_report.exists():
        entities = json.loads(entity_report.read_text())
        result["entity_micro_f1"] = entities.get("micro avg", {}).get("f1-score")
        result["entity_macro_f1"] = entities.get("macro avg", {}).get("f1-score")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.90)
    args = parser.parse_args()

    leaked = check_held_out()
    if leaked:
        print("These test questions are also in the training data (remove them from data/):",
              *leaked, sep="\n  ", file=sys.stderr)
        return 1
    questions = _examples(TEST_SET)
    plain = sum(1 for q in questions if q == prepare_data.strip_diacritics(q))
    print(f"==> Held-out set: {len(questions)} questions, {plain} without diacritics; "
          "none of them in the training data.", file=sys.stderr)

    RESULTS.mkdir(exist_ok=True)
    folded = RESULTS / "nlu_test_folded.yml"
    folded.write_text(prepare_data.strip_diacritics(TEST_SET.read_text(encoding="utf-8")),
                      encoding="utf-8")
    summary = {"questions": len(questions), "without_diacritics": plain}
    for label, nlu_file in (("as_written", TEST_SET), ("folded", folded)):
        started = time.monotonic()
        print(f"==> rasa test nlu ({label.replace('_', ' ')}) ...", file=sys.stderr, flush=True)
        run_rasa_test(args.model, nlu_file, RESULTS / label)
        summary[label] = scores(RESULTS / label)
        print(f"    done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    (RESULTS / "nlu_summary.json").write_text(json.dumps(summary, indent=2))

    print(f"\n{'test set':<26}{'intent macro-F1':>16}{'entity F1 (micro)':>19}")
    failed = False
    for label in ("as_written", "folded"):
        row = summary[label]
        entity = row.get("entity_micro_f1")
        name = "as written" if label == "as_written" else "all diacritics removed"
        print(f"{name:<26}{row['intent_macro_f1']:>16.3f}"
              f"{(f'{entity:.3f}' if entity is not None else '-'):>19}")
        failed |= row["intent_macro_f1"] < args.threshold
    if failed:
        print(f"\nFAIL: intent macro-F1 below {args.threshold:.2f}", file=sys.stderr)
        return 1
    print(f"\nOK: intent macro-F1 at least {args.threshold:.2f} on both.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
