"""Train the assistant when the model is missing or its training data changed.

The model file is named after a SHA-256 of everything training reads (config, domain, data,
the generated data and the procedure catalogue the lookup tables come from), so an unchanged
project never retrains. Prints the model path on stdout (`--print-path`) for scripts.
"""

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

BOTS = Path(__file__).resolve().parent.parent
MODELS = BOTS / "models"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import prepare_data  # noqa: E402


def training_inputs() -> list[Path]:
    files = [BOTS / "config.yml", BOTS / "domain.yml"]
    files += sorted((BOTS / "data").rglob("*.yml"))
    files += sorted(prepare_data.CATALOGUE.glob("*.json"))
    return [path for path in files if path.is_file()]


def data_hash() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(BOTS.parent)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if the model is current")
    parser.add_argument("--print-path", action="store_true", help="print the model path on stdout")
    parser.add_argument(
        "--no-train", action="store_true", help="fail instead of training when the model is stale"
    )
    args = parser.parse_args()

    MODELS.mkdir(exist_ok=True)
    # One training at a time (make run, make test and pytest may all ask at once); whoever
    # waits finds the model the first one trained.
    with (MODELS / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return train_if_needed(args)


def train_if_needed(args: argparse.Namespace) -> int:
    prepare_data.main()
    name = f"xuthanh-{data_hash()}"
    model = MODELS / f"{name}.tar.gz"
    if model.exists() and not args.force:
        log(f"Model is up to date ({model.relative_to(BOTS.parent)}); no training needed.")
    elif args.no_train:
        log("No model for the current training data: run bots/.venv/bin/python bots/scripts/train.py")
        return 1
    else:
        log(
            "Training the assistant (training data changed or no model yet; about a minute on "
            "2 cores; progress below)"
        )
        started = time.monotonic()
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
        rasa = Path(sys.executable).with_name("rasa")
        command = [str(rasa), "train", "--out", str(MODELS), "--fixed-model-name", name]
        # Rasa's own output goes to stderr: stdout carries only the model path (--print-path).
        result = subprocess.run(  # noqa: S603
            command, cwd=BOTS, env=env, check=False, stdout=sys.stderr
        )
        if result.returncode != 0 or not model.exists():
            log("Training failed; see the messages above.")
            return 1
        for old in MODELS.glob("xuthanh-*.tar.gz"):
            if old != model:
                old.unlink()
        log(f"Trained {model.relative_to(BOTS.parent)} in {time.monotonic() - started:.0f} s")
    if args.print_path:
        print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
