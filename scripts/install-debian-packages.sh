#!/bin/sh
# `install-debian-packages.sh <who> <package>...`: installs with apt-get the Debian packages
# not yet installed, for the setup scripts that build Go baselines and servers offline
# (bench/setup-go-gateway.sh, test/interop/setup.sh). <who> names the caller in errors.
set -eu

who=$1
shift
packages="$*"

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "$who needs a Debian-based system (dpkg and apt-get); install by hand: $packages" >&2
  exit 1
fi

missing=""
for p in $packages; do installed "$p" || missing="$missing $p"; done
[ -n "$missing" ] || exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# shellcheck disable=SC2086 # the package list is meant to split
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing || {
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
}
