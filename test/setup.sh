#!/bin/bash
# Installs what hgnn needs on Debian 12 and builds and installs the
# extension from this repository.  Run as root.  apt runs only when dpkg
# reports a package missing, so a second run only rebuilds (seconds).
#
# Environment: PG_CONFIG (default /usr/lib/postgresql/15/bin/pg_config).

set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# r-base-core, r-cran-mlbench and r-cran-mlmrev provide the vowel, Exam
# and Contraception data of the tests;
# python3-sklearn runs the baselines of test/bench/accuracy.sh and
# test/e2e_grid.sh;
# postgresql-15-cron is for running hgnn_train from pg_cron jobs.
packages=(
	build-essential
	postgresql-15
	postgresql-server-dev-15
	libopenblas-dev
	postgresql-15-cron
	r-base-core
	r-cran-mlbench
	r-cran-mlmrev
	python3-sklearn
)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: must run as root (it installs packages and the" \
		"extension); try: sudo bash $0" >&2
	exit 1
fi

missing=()
for package in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) ||
		status=
	if [ "$status" != installed ]; then
		missing+=("$package")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${packages[@]}"
else
	echo "setup.sh: all ${#packages[@]} packages are installed"
fi

jobs=$(nproc 2>/dev/null || echo 2)
make -C "$repo" -j"$jobs" PG_CONFIG="$pg_config"
make -C "$repo" install PG_CONFIG="$pg_config"
echo "setup.sh: hgnn installed into $("$pg_config" --pkglibdir)"
