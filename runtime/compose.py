#!/usr/bin/env python3
"""Writes runtime/compose.yaml from functions.yaml: PostgreSQL, the gateway, the dispatcher and one
container per function. `--check` fails instead when the file is out of date (scripts/test runs it)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = """# The marketplace deployed as one container per function, on one PostgreSQL database:
#
#   docker build -f runtime/Dockerfile -t ticketing .
#   JWT_KEY=$(openssl rand -hex 32) docker compose -f runtime/compose.yaml up
#
# `gateway` (http://localhost:8080) routes the API and the web pages to the HTTP functions' containers; `dispatcher` delivers
# the events and timers they commit to the event functions' containers. Every container shares
# DATABASE_URL (each service keeps to its own schema) and JWT_KEY. Generated from functions.yaml by
# runtime/compose.py; run it again after adding a function.

x-ticketing: &ticketing
  image: ticketing
  restart: unless-stopped
  depends_on:
    postgres:
      condition: service_healthy

x-environment: &environment
  DATABASE_URL: postgres://ticketing:ticketing@postgres:5432/ticketing?sslmode=disable
  JWT_KEY: ${JWT_KEY:?set JWT_KEY to a secret of at least 32 bytes}
  STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY:-}
  # Orders, payments and the pages read these alike: the window an order holds its ticket, the currency.
  EXPIRATION_WINDOW_SECONDS: ${EXPIRATION_WINDOW_SECONDS:-900}
  PAYMENT_CURRENCY: ${PAYMENT_CURRENCY:-usd}
  LOG_LEVEL: info

services:
  postgres:
    image: postgres:16-bookworm
    # Each ticketing process opens a pool per service it touches, plus a few connections for delivery.
    command: ["postgres", "-c", "max_connections=1000"]
    environment:
      POSTGRES_USER: ticketing
      POSTGRES_PASSWORD: ticketing
      POSTGRES_DB: ticketing
    volumes:
      - postgres:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "ticketing"]
      interval: 2s
      retries: 30
"""


def functions():
    """(name, is_http, is_page) for every function of the manifest, in its order."""
    text = (ROOT / "functions.yaml").read_text()
    blocks = re.split(r"^  - name: ", text, flags=re.M)[1:]
    return [(block.split("\n")[0].strip(), "\n    http:" in block, "\n    service: web" in block) for block in blocks]


def front(command, names):
    urls = ",".join(f"{name}=http://{name}:8080" for name in names)
    ports = '    ports:\n      - "8080:8080"\n' if command == "gateway" else ""
    return (
        f"\n  {command}:\n    <<: *ticketing\n    command: [\"{command}\"]\n{ports}"
        f"    environment:\n      <<: *environment\n      FUNCTION_URLS: >-\n        {urls}\n"
    )


def render():
    every = functions()
    text = HEADER
    text += front("gateway", [name for name, http, _ in every if http])
    text += front("dispatcher", [name for name, http, _ in every if not http])
    for name, _, page in every:
        text += f"\n  {name}:\n    <<: *ticketing\n    environment:\n      <<: *environment\n      FUNCTION: {name}\n"
        # A page calls the API through the gateway, as a browser's request would reach it.
        if page:
            text += "      API_URL: http://gateway:8080\n"
    return text + "\nvolumes:\n  postgres:\n"


if __name__ == "__main__":
    target = ROOT / "runtime" / "compose.yaml"
    wanted = render()
    if "--check" in sys.argv[1:]:
        if not target.exists() or target.read_text() != wanted:
            sys.exit("runtime/compose.yaml is out of date with functions.yaml: run runtime/compose.py")
        print("runtime/compose.yaml matches functions.yaml")
    else:
        target.write_text(wanted)
