#!/usr/bin/env bash
# Installs the system packages the test suite needs (Debian/Ubuntu, run as root).
# Idempotent: does nothing when everything is already installed.
#   docker-registry  real OCI distribution registry (2.8) for test/registry/real-registry.test.ts
#   apache2-utils    htpasswd -B, for the registry's Basic auth (bcrypt) test
#   openssl          self-signed certificate for the registry's token auth test
#   redis-server     real Redis for the BullMQ queue tests (test/helpers/redis-server.ts)
#   chromium         real headless browser for the status page test (test/status/status-browser.test.ts)
set -euo pipefail

packages=(docker-registry apache2-utils openssl redis-server chromium)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all present (${packages[*]})"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-test-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The Debian package starts a system service on :5000 where an init system runs; the tests start
# their own instances on free ports and do not need it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi
# Likewise redis-server's system service on :6379: the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi
