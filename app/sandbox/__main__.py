"""``python -m app.sandbox --port N [--latency S] [--rate-limit N|none] [--live] [--synthetic N]``."""

from app.cli.sandbox import serve_forever

raise SystemExit(serve_forever())
