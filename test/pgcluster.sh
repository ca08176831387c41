# pgcluster.sh: throwaway PostgreSQL 15 clusters for the test scripts.
#
# Source this file, then call pgcluster_start.  The cluster lives in a new
# temporary directory, listens only on a Unix socket in that directory, and
# trusts every local connection.  pgcluster_start exports PGHOST, PGPORT and
# PGUSER=postgres for psql and pg_regress, and sets an EXIT trap that stops
# the server and removes the directory, also after a failure, Ctrl-C or
# SIGTERM.  Bash runs the SIGTERM trap only once the foreground client
# returns, so a TERM during a long query waits for that query.  A caller that needs its own cleanup passes it in
# PGCLUSTER_ON_EXIT (a command string run before the cluster is stopped)
# instead of setting its own EXIT trap, which would replace this one.
#
# PostgreSQL refuses to run as root, so when run as root the server
# commands run as the postgres user through runuser; clients stay root.

PGCLUSTER_BIN=${PGCLUSTER_BIN:-/usr/lib/postgresql/15/bin}
PGCLUSTER_DIR=
PGCLUSTER_ON_EXIT=${PGCLUSTER_ON_EXIT:-}

# Runs a server command as postgres under root, else as the current user.
pgcluster_run_as_owner()
{
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Prints a TCP port in 20000..59999 that nothing on 127.0.0.1 accepts.
# The server listens on no TCP address, so the port only names the socket
# file.  Avoiding a bound port keeps server logs and ps output unambiguous.
pgcluster_free_port()
{
	local port tries

	for tries in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "pgcluster: no free port found in 50 tries" >&2
	return 1
}

# Stops the server and removes its directory.  A second call does nothing.
# When the script is failing, prints the end of the server log first because it
# usually names the cause.
pgcluster_stop()
{
	local status=${1:-0}
	local dir=$PGCLUSTER_DIR

	[ -n "$dir" ] || return 0
	PGCLUSTER_DIR=
	if [ "$status" -ne 0 ] && [ -f "$dir/server.log" ]; then
		echo "pgcluster: last lines of the server log ($dir/server.log):" >&2
		tail -n 30 "$dir/server.log" >&2
	fi
	if [ -f "$dir/data/postmaster.pid" ]; then
		pgcluster_run_as_owner "$PGCLUSTER_BIN/pg_ctl" -D "$dir/data" \
			-m fast -w -t 60 stop >/dev/null 2>&1 ||
			pgcluster_run_as_owner "$PGCLUSTER_BIN/pg_ctl" -D "$dir/data" \
				-m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$dir"
}

pgcluster_on_exit()
{
	local status=$?

	trap - EXIT INT TERM
	if [ -n "$PGCLUSTER_ON_EXIT" ]; then
		eval "$PGCLUSTER_ON_EXIT" || true
	fi
	pgcluster_stop "$status"
	exit "$status"
}

# Creates and starts a cluster.  Each argument is one extra line for
# postgresql.conf, for example "shared_preload_libraries = 'pg_cron'".
pgcluster_start()
{
	local port line

	if [ -n "$PGCLUSTER_DIR" ]; then
		echo "pgcluster: a cluster is already running in $PGCLUSTER_DIR" >&2
		return 1
	fi

	# A fixed short parent keeps the socket path under the 107-byte limit
	# of sun_path even when TMPDIR is long.
	PGCLUSTER_DIR=$(mktemp -d /tmp/hgnn-pg.XXXXXX) || return 1
	trap pgcluster_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PGCLUSTER_DIR"
	fi
	chmod 700 "$PGCLUSTER_DIR"

	if ! pgcluster_run_as_owner "$PGCLUSTER_BIN/initdb" \
		-D "$PGCLUSTER_DIR/data" -U postgres -A trust -E UTF8 --no-locale \
		>"$PGCLUSTER_DIR/initdb.log" 2>&1; then
		echo "pgcluster: initdb failed:" >&2
		cat "$PGCLUSTER_DIR/initdb.log" >&2
		return 1
	fi

	port=$(pgcluster_free_port) || return 1
	{
		echo "# throwaway test cluster, written by test/pgcluster.sh"
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PGCLUSTER_DIR'"
		echo "fsync = off"
		for line in "$@"; do
			echo "$line"
		done
	} >>"$PGCLUSTER_DIR/data/postgresql.conf"

	if ! pgcluster_run_as_owner "$PGCLUSTER_BIN/pg_ctl" \
		-D "$PGCLUSTER_DIR/data" -l "$PGCLUSTER_DIR/server.log" \
		-w -t 60 start >/dev/null; then
		echo "pgcluster: server failed to start:" >&2
		cat "$PGCLUSTER_DIR/server.log" >&2
		return 1
	fi

	export PGHOST=$PGCLUSTER_DIR
	export PGPORT=$port
	export PGUSER=postgres
	export PGDATABASE=postgres
	echo "pgcluster: server running, PGHOST=$PGHOST PGPORT=$PGPORT"
}
