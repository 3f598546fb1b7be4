# shellcheck shell=bash
# Helpers shared by the test rigs (scripts/*-rig). Sourced, never run.
#
# The caller sets RIG (the state directory) and RIG_NAME (its own name, for messages)
# before sourcing. All rigs of one run share $RIG and its test CA in $RIG/tls; each
# server keeps the rest of its state in $RIG/<server>.

# Marks a directory a rig made, so a wrong MAILBAG_RIG_DIR is never wiped.
RIG_MARKER=$RIG/.mailbag-rig
# Unpacked packages are kept across runs here: a second start needs no download.
RIG_CACHE=${MAILBAG_RIG_CACHE:-/var/cache/mailbag-rig}
RIG_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
    echo "$RIG_NAME: $*" >&2
    exit 1
}

# Runs openssl quietly, showing its chatter only when it fails.
ossl() {
    openssl "$@" 2>"$RIG/tls/openssl.err" || { cat "$RIG/tls/openssl.err" >&2; die "openssl $1 failed"; }
}

# Writes the openssl config both certificates are made with.
write_openssl_cnf() {
    # A config of our own keeps the extensions the same whatever the system openssl.cnf says.
    cat >"$RIG/tls/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Mailbag Test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# A server certificate (SAN IP:127.0.0.1, DNS:localhost) signed by $RIG/tls/ca.pem.
make_server_cert() {
    local d=$RIG/tls serial
    serial=$(openssl rand -hex 8)
    [[ -f $d/openssl.cnf ]] || write_openssl_cnf
    ossl req -new -noenc -config "$d/openssl.cnf" -subj "/CN=localhost" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/server.key" -out "$d/server.csr"
    # 825 days: the longest server-certificate validity that Apple platforms accept.
    ossl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
        -set_serial "0x$serial" -days 825 \
        -extfile "$d/openssl.cnf" -extensions server -out "$d/server.pem"
    chmod 0600 "$d"/*.key
    chmod 0644 "$d/ca.pem" "$d/server.pem"
}

# A new test CA and server certificate: $RIG/tls/{ca.pem,ca.key,server.pem,server.key}.
make_certs() {
    local d=$RIG/tls
    write_openssl_cnf
    ossl req -x509 -new -noenc -config "$d/openssl.cnf" -extensions ca \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/ca.key" -out "$d/ca.pem" -days 3650
    make_server_cert
}

# The CA is made only when $RIG/tls/ca.pem is absent, so a rig started next to
# another one (the Dovecot rig first) trusts the same CA and never replaces it.
ensure_certs() {
    install -d -m 0755 "$RIG/tls"
    (
        flock 9
        if [[ ! -f $RIG/tls/ca.pem ]]; then
            make_certs
        elif [[ ! -f $RIG/tls/server.pem || ! -f $RIG/tls/server.key ]]; then
            [[ -f $RIG/tls/ca.key ]] || die "$RIG/tls/ca.pem exists without its ca.key; remove $RIG/tls to start over"
            make_server_cert
        fi
    ) 9>"$RIG/tls/.lock" || exit 1
}

# N (default 2) distinct free loopback ports, held open together so they cannot coincide.
free_ports() {
    python3 - "${1:-2}" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
}

# Makes $RIG if needed, or accepts it when a rig made it (or it is empty), never
# wiping what is there: the Dovecot rig and the others may be running in it.
claim_rig_dir() {
    if [[ -d $RIG && ! -e $RIG_MARKER && -n $(ls -A "$RIG") ]]; then
        die "$RIG is not empty and was not made by a rig; set MAILBAG_RIG_DIR to a new directory"
    fi
    mkdir -p "$RIG"
    # Unprivileged server processes must be able to reach their directories below.
    chmod 0755 "$RIG"
    touch "$RIG_MARKER"
}

# Installs Debian packages; one rig at a time, so rigs started together do not fight over dpkg.
apt_install() {
    echo "$RIG_NAME: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    (
        flock 9
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "$@" >/dev/null
    ) 9>/run/lock/mailbag-rig-apt.lock || die "apt-get install $* failed"
}

# Sets UNPACKED to the directory where package PKG at VERSION (empty: the candidate) is
# unpacked, downloading and unpacking it first if needed. For servers that cannot be
# installed next to each other (their packages conflict). Not for $(...): die must stop the rig.
unpack_package() {
    local pkg=$1 version=${2:-} dir
    if [[ -z $version ]]; then
        version=$(candidate_version "$pkg")
        if [[ -z $version ]]; then
            apt_install_lists
            version=$(candidate_version "$pkg")
        fi
        [[ -n $version ]] || die "no package $pkg in the apt lists"
    fi
    dir=$RIG_CACHE/${pkg}_${version}
    if [[ ! -f $dir/.unpacked ]]; then
        echo "$RIG_NAME: downloading and unpacking $pkg=$version into $dir" >&2
        install -d -m 0755 "$RIG_CACHE"
        (
            flock 9
            [[ -f $dir/.unpacked ]] && exit 0
            tmp=$(mktemp -d "$RIG_CACHE/.unpack.XXXXXX")
            trap 'rm -rf -- "$tmp"' EXIT
            # apt drops to _apt for downloads: give it a directory it may write.
            chmod 0755 "$tmp"
            chown _apt "$tmp" 2>/dev/null || true
            if ! (cd "$tmp" && apt-get download -qq "$pkg=$version" >/dev/null 2>"$tmp/err"); then
                # The lists may be missing or older than the installed packages.
                apt_install_lists
                (cd "$tmp" && apt-get download -qq "$pkg=$version" >/dev/null 2>"$tmp/err") ||
                    { cat "$tmp/err" >&2; die "apt-get download $pkg=$version failed"; }
            fi
            dpkg-deb -x "$tmp/${pkg}_"*.deb "$tmp/root" || die "dpkg-deb -x $pkg failed"
            rm -rf -- "$dir"
            mv "$tmp/root" "$dir"
            touch "$dir/.unpacked"
        ) 9>"$RIG_CACHE/.lock" || exit 1
    fi
    [[ -f $dir/.unpacked ]] || die "unpacking $pkg=$version into $dir failed"
    # shellcheck disable=SC2034 # read by the caller
    UNPACKED=$dir
}

candidate_version() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}'
}

apt_install_lists() {
    (
        flock 9
        apt-get update -qq
    ) 9>/run/lock/mailbag-rig-apt.lock || die "apt-get update failed"
}

# Creates (once) the system account NAME, with its own group, no home and no login shell.
ensure_system_user() {
    id -u "$1" >/dev/null 2>&1 ||
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$1" || die "useradd $1 failed"
}

# Sets the system account NAME's password to $PASSWORD (for servers that check /etc/shadow).
set_system_password() {
    printf '%s:%s\n' "$1" "$PASSWORD" | chpasswd || die "chpasswd $1 failed"
}

check_password() {
    [[ -n $PASSWORD && $PASSWORD != *[:$'\n'\|]* ]] ||
        die "MAILBAG_TEST_PASSWORD must be non-empty and contain no ':', '|' or newline"
}

# Prints PID read from FILE when that process is alive and its command line contains PATTERN.
live_pid() {
    local file=$1 pattern=$2 pid
    [[ -r $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern" || return 1
    echo "$pid"
}

# Prints the pids of every process in the mount namespace NS (as readlink /proc/PID/ns/mnt shows it).
ns_pids() {
    # One ls for all processes: a readlink per process would take a second or more.
    # shellcheck disable=SC2012
    ls -l /proc/[0-9]*/ns/mnt 2>/dev/null |
        awk -v ns="$1" '$NF == ns { split($(NF - 2), p, "/"); print p[3] }'
}

# Succeeds while PID runs. A daemon's exited process stays a zombie until init reaps it,
# which here can take a second or two: a zombie counts as gone.
running() {
    local stat
    # read, not $(<...): under set -e a missing file there ends the whole script.
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# TERM to each pid, then KILL to those still running after 5 s; returns once all are gone.
kill_pids() {
    local pid alive
    (($# > 0)) || return 0
    kill -TERM "$@" 2>/dev/null || true
    for _ in $(seq 100); do
        alive=()
        for pid in "$@"; do running "$pid" && alive+=("$pid"); done
        ((${#alive[@]} == 0)) && return 0
        sleep 0.05
    done
    kill -KILL "${alive[@]}" 2>/dev/null || true
}

# Waits until every listener greets with +OK, TLS ones with a certificate verified against
# $RIG/tls/ca.pem. Specs: plain:PORT, stls:PORT (also upgrades with STLS), tls:PORT.
wait_pop3() {
    local timeout=$1
    shift
    python3 - "$timeout" "$RIG/tls/ca.pem" "$@" <<'EOF'
import socket, ssl, sys, time
timeout, ca, specs = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
ctx = ssl.create_default_context(cafile=ca)

def greets(kind, port):
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1") if kind == "tls" else raw
        if not s.recv(512).startswith(b"+OK"):
            return False
        if kind == "stls":
            s.sendall(b"STLS\r\n")
            if not s.recv(512).startswith(b"+OK"):
                sys.exit(f"127.0.0.1:{port} refused STLS")
            s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        s.sendall(b"QUIT\r\n")
        s.recv(512)
        return True

pending = [(k, int(p)) for k, p in (spec.split(":") for spec in specs)]
deadline = time.monotonic() + timeout
while pending and time.monotonic() < deadline:
    try:
        if greets(*pending[0]):
            pending.pop(0)
            continue
    except ssl.SSLCertVerificationError as e:
        sys.exit(f"127.0.0.1:{pending[0][1]}: certificate does not verify: {e}")
    except OSError:
        pass
    time.sleep(0.2)
if pending:
    sys.exit("no +OK greeting from " + ", ".join(f"127.0.0.1:{p} ({k})" for k, p in pending))
EOF
}

# Shows the end of each LOG on stderr, for a failed start.
show_logs() {
    local log
    for log in "$@"; do
        [[ -s $log ]] && { echo "--- last lines of $log:"; tail -n 20 "$log"; } >&2
    done
    return 0
}

# Writes the first COUNT "mixed" messages (the 12 the Dovecot rig gives alice, addressed
# to USER) or COUNT "simple" ones into DIR as 01.eml, 02.eml, ... in order.
write_seed_messages() {
    local dir=$1 user=$2 kind=$3 count=$4
    python3 - "$RIG_SCRIPTS/seed-maildir.py" "$dir" "$user" "$kind" "$count" <<'EOF'
import importlib.util, os, sys
sys.dont_write_bytecode = True
path, out, user, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
spec = importlib.util.spec_from_file_location("seed_maildir", path)
seed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed)
if kind == "mixed":
    msgs = seed.mixed_messages(user)[:count]
else:
    msgs = [seed.simple_message(i, count, user) for i in range(1, count + 1)]
os.makedirs(out, exist_ok=True)
for n, data in enumerate(msgs, start=1):
    with open(os.path.join(out, f"{n:02d}.eml"), "wb") as f:
        f.write(data)
EOF
}

# Delivers FILEs ('-' reads stdin) into MAILDIR (owned by the mail user) in order, the
# Maildir way, with increasing times in their names and mtimes so servers number them
# in that order.
deliver_maildir() {
    python3 - "$RIG_SCRIPTS/seed-maildir.py" "$@" <<'EOF'
import importlib.util, sys, time
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("seed_maildir", sys.argv[1])
seed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed)
maildir, files = sys.argv[2], sys.argv[3:]
# Whole seconds in the past, one per message: unique names, and the order survives
# any server that sorts by name or by mtime.
base = int(time.time()) - len(files) - 1
for n, name in enumerate(files, start=1):
    data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()
    seed.deliver(maildir, data, when=base + n)
EOF
}

# Writes $RIG/<server>.env: NAME (COURIER...) PORT TLS_PORT (empty: none) USER SCRATCH_USER.
write_rig_env() {
    local name=$1 port=$2 tls_port=$3 user=$4 scratch=$5 file=$RIG/${RIG_NAME%-rig}.env
    {
        echo "# ${RIG_NAME%-rig} test rig, written by scripts/$RIG_NAME start"
        printf 'export MAILBAG_TEST_%s_HOST=%q\n' "$name" 127.0.0.1
        printf 'export MAILBAG_TEST_%s_POP3_PORT=%q\n' "$name" "$port"
        [[ -z $tls_port ]] || printf 'export MAILBAG_TEST_%s_POP3S_PORT=%q\n' "$name" "$tls_port"
        printf 'export MAILBAG_TEST_%s_USER=%q\n' "$name" "$user"
        printf 'export MAILBAG_TEST_%s_SCRATCH_USER=%q\n' "$name" "$scratch"
        printf 'export MAILBAG_TEST_%s_PASSWORD=%q\n' "$name" "$PASSWORD"
        printf 'export MAILBAG_TEST_%s_CA_FILE=%q\n' "$name" "$RIG/tls/ca.pem"
        printf 'export MAILBAG_TEST_%s_RIG=%q\n' "$name" "$RIG_SCRIPTS/$RIG_NAME"
        printf 'export MAILBAG_RIG_DIR=%q\n' "$RIG"
    } >"$file"
}
