#!/usr/bin/env bash
# The Slurm array of this folder, run end to end on a throwaway one-node Slurm cluster on this
# machine: hdrup-segments.sbatch and hdrup-concat.sbatch go through sbatch unchanged, and the
# joined file must equal a single `hdrup convert` of the same clip, frame for frame and byte for
# byte; then a task requeued while it runs, a task cancelled and requeued, and a failed task are
# checked (docs/scale-out.md, "Tried for real").
#
#   HDRUP="dotnet /abs/path/hdrup.dll" deploy/slurm/local-test.sh [INPUT]     (./dev.sh slurm does this)
#
# INPUT: default samples/city.mp4. Environment: SEGMENTS (N, default 4), CONVERT_OPTS (options of
# every convert, the single run's and the array's; default "--quality fast", the cheapest network
# run), TIMEOUT (seconds for each wait, default 600), KEEP_SCRATCH=1 (keep the scratch folder).
#
# Installs slurm-wlm and munge from apt when missing (sudo when not root). Everything else lives in
# one scratch folder: a munge key of its own, slurm.conf, state, logs, parts and outputs. The
# daemons (munged, slurmctld, slurmd) run as the current user on free ports and are stopped on
# exit, also on failure or Ctrl-C; the scratch folder is then removed.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"     # slurmctld, slurmd and munged live in /usr/sbin
repo=$(cd "$(dirname "$0")/../.." && pwd)
input=$(realpath "${1:-$repo/samples/city.mp4}")
segments=${SEGMENTS:-4}
read -r -a convert_opts <<< "${CONVERT_OPTS:---quality fast}"
timeout=${TIMEOUT:-600}
read -r -a hdrup <<< "${HDRUP:-hdrup}"
export HDRUP="${HDRUP:-hdrup}"           # the sbatch scripts read it; --export=ALL passes it on
t_start=$SECONDS

say()  { printf 'slurm: [%3ds] %s\n' $((SECONDS - t_start)) "$*"; }
fail() { printf 'slurm: error: %s\n' "$*" >&2; exit 1; }

[ -f "$input" ] || fail "$input: no such file"
[[ "$segments" =~ ^[0-9]+$ ]] && (( segments >= 3 )) || fail "SEGMENTS=$segments: need 3 or more (the fault cases use tasks 2 and 3)"
"${hdrup[@]}" --help >/dev/null 2>&1 || fail "cannot run hdrup as HDRUP=\"$HDRUP\"; set HDRUP, e.g. HDRUP=\"dotnet /path/hdrup.dll\""

# ---------------------------------------------------------------------------------------------
# Packages. Debian's slurm-wlm is Slurm 22.05 (slurmctld, slurmd, client commands, plugins).
# On a systemd machine apt enables and starts the packages' own services (munge with a key its
# postinst makes in /etc/munge, slurmctld and slurmd with no configuration); this test uses none
# of them, so services that this install brought are stopped and disabled again. Services of
# packages that were already installed are left alone.
packages=(munge slurmctld slurmd slurm-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  say "installing slurm-wlm and munge from apt (missing: ${missing[*]})"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge \
    >/dev/null 2> >(grep -v '^debconf: delaying package configuration' >&2)
  if [ -d /run/systemd/system ]; then
    for p in "${missing[@]}"; do
      case $p in munge|slurmctld|slurmd) $sudo systemctl disable --now "$p.service" >/dev/null 2>&1 || true ;; esac
    done
  fi
fi
for c in sbatch squeue scontrol scancel sacct slurmctld slurmd munged mungekey; do
  command -v "$c" >/dev/null || fail "$c: not found after installing slurm-wlm and munge"
done

# ---------------------------------------------------------------------------------------------
# Scratch folder and the daemons.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hdrup-slurm.XXXXXX")
# munged refuses a socket in a directory that not everyone may search (every level up to /).
chmod 755 "$scratch"
mkdir -p "$scratch"/{munge,etc,state/ctld,state/slurmd,run,log,jobs,tmp}
# Temporary files of everything started from here on stay in the scratch folder as well, among
# them the diagnostic pipes that .NET leaves in TMPDIR when a task is killed.
export TMPDIR=$scratch/tmp
chmod 755 "$scratch/munge"
conf=$scratch/etc/slurm.conf
export SLURM_CONF=$conf                  # every client command (and the jobs) read this slurm.conf
started=0

stop_all() {
  local rc=$? pid f
  set +e
  trap - EXIT INT TERM
  if [ "$started" -eq 1 ]; then
    # Running job steps outlive slurmd, so cancel our jobs first and wait for them to go.
    scancel --quiet $(squeue -h -o %A 2>/dev/null | sort -u) 2>/dev/null
    for _ in $(seq 1 60); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
    scontrol shutdown >/dev/null 2>&1
  fi
  # Our daemons only, by the pids they wrote into the scratch folder.
  for f in "$scratch/run/slurmctld.pid" "$scratch/run/slurmd.pid" "$scratch/munge/munged.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    [ "$f" = "$scratch/munge/munged.pid" ] && munged --stop --socket="$scratch/munge/munge.socket" >/dev/null 2>&1
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "slurm: $(basename "$f" .pid) did not stop; killed" >&2; fi
  done
  if [ "$rc" -eq 130 ]; then
    echo "slurm: interrupted; daemons stopped" >&2
  elif [ "$rc" -ne 0 ]; then
    echo "slurm: failed; last lines of the logs:" >&2
    for f in "$scratch"/jobs/*.log "$scratch"/log/*.log; do
      [ -f "$f" ] && { echo "--- $f" >&2; tail -n 8 "$f" >&2; }
    done
  fi
  if [ "${KEEP_SCRATCH:-0}" = 1 ]; then echo "slurm: scratch folder kept: $scratch" >&2; else rm -rf "$scratch"; fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Two free TCP ports, so that a Slurm already running on this machine (6817/6818) is not disturbed.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    [ "$p" != "${1:-}" ] && port_free "$p" && { echo "$p"; return; }
  done
  fail "no free TCP port found between 20000 and 40000"
}
ctld_port=$(free_port)
slurmd_port=$(free_port "$ctld_port")

user=$(id -un)
# What `slurmd -C` finds (CPUs, sockets, cores, threads, memory) describes the node exactly.
node_hw=$(slurmd -C | head -1 | sed 's/^NodeName=[^ ]* //')

# A key of our own, so that no munged or key of the machine (/etc/munge) is used or changed.
mungekey --create --keyfile="$scratch/munge/munge.key"
munged --key-file="$scratch/munge/munge.key" --socket="$scratch/munge/munge.socket" \
  --pid-file="$scratch/munge/munged.pid" --log-file="$scratch/munge/munged.log" \
  --seed-file="$scratch/munge/munged.seed" \
  || fail "munged did not start: $(tail -n 1 "$scratch/munge/munged.log" 2>/dev/null)"

cat > "$conf" <<EOF
# One-node Slurm 22.05 cluster for deploy/slurm/local-test.sh; every path is in the scratch folder.
ClusterName=hdruplocal
# "localhost" is accepted as the controller on any host name; the node is this machine as well.
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
# The daemons run as whoever runs this script; slurmd can then start jobs for that user only.
SlurmUser=$user
SlurmdUser=$user
# Our own munged, through its socket in the scratch folder (the machine's munge is not used).
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$scratch/munge/munge.socket
StateSaveLocation=$scratch/state/ctld
SlurmdSpoolDir=$scratch/state/slurmd
SlurmctldPidFile=$scratch/run/slurmctld.pid
SlurmdPidFile=$scratch/run/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
# No cgroups: linuxproc tracks a job's processes through their parent pids in /proc, and task/none
# binds nothing, so this needs neither a cgroup mount, nor cgroup.conf, nor root. (It cannot
# contain a process that daemonises and it enforces no memory limit: fine for a test node.)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# Accounting: 22.05 stores accounting only through slurmdbd (a MySQL/MariaDB database); without it
# plain sacct says "Slurm accounting storage is disabled". jobcomp/filetxt writes one line per
# finished job, which 'sacct --completion' reads: state and exit code of every task that ran.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$scratch/log/jobcomp.txt
# Cores are the consumable resource: each segment task asks for 2 CPUs, so on a 2-core machine the
# tasks run one after another, as they would queue on a busy cluster. Memory is not consumed,
# but --mem must not exceed RealMemory.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
# No mail from this test node (the default, /bin/mail, is usually not installed).
MailProg=/bin/true
ReturnToService=2
# Keep finished jobs in scontrol for an hour: the checks read their states there.
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -f "$conf" || fail "slurmctld did not start (see $scratch/log/slurmctld.log)"
started=1
slurmd -f "$conf" -N localhost || fail "slurmd did not start (see $scratch/log/slurmd.log)"
t0=$SECONDS
until [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]; do
  (( SECONDS - t0 < 60 )) || fail "the node did not come up within 60 s: $(sinfo -h -o '%T %E' 2>&1)"
  sleep 0.5
done
say "cluster up: slurmctld :$ctld_port, slurmd :$slurmd_port, munged and state in $scratch ($(sinfo -h -o '%c CPUs, %m MB'))"

# ---------------------------------------------------------------------------------------------
# The clip. Segments start at keyframes and N cannot exceed their number; samples/city.mp4 has
# two (frame 0 and the scene cut at frame 51), so it is re-encoded with a keyframe every 6 frames
# (x264 CRF 18, audio copied). Both the single run and the array convert this copy.
clip=$scratch/clip.mp4
ffmpeg -hide_banner -loglevel error -nostdin -y -i "$input" -map 0 -c:a copy \
  -c:v libx264 -preset veryfast -crf 18 -g 6 -keyint_min 6 -sc_threshold 0 -pix_fmt yuv420p \
  -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv "$clip"
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$clip")
keyframes=$(ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$clip" | grep -c K)
say "clip: $(basename "$input"), $frames frames, a keyframe every 6 (${keyframes} keyframes); N = $segments; convert options: ${convert_opts[*]}"

# ---------------------------------------------------------------------------------------------
# Helpers.
wait_until() {  # DESCRIPTION COMMAND...: poll COMMAND until it succeeds, at most $timeout s
  local what=$1 t0=$SECONDS; shift
  until "$@"; do
    (( SECONDS - t0 < timeout )) || fail "timed out after ${timeout}s waiting for $what"
    sleep 0.5
  done
}
# No task of these jobs pending, running or completing (squeue -j also lists finished jobs).
gone() { ! squeue -h -j "$1" -o %T 2>/dev/null | grep -qvE '^(COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY)$'; }
field() { scontrol -o show job "$1" | head -1 | grep -o "\b$2=[^ ]*" | head -1 | cut -d= -f2-; }
state() { field "$1" JobState; }
is_state() { [ "$(state "$1")" = "$2" ]; }
pending_never() { [ "$(field "$1" Reason)" = DependencyNeverSatisfied ]; }
cached_frames() { find "$1" -path '*frames/*.png' 2>/dev/null | grep -c . || true; }
has_frames() { [ "$(cached_frames "$1")" -ge "$2" ]; }

submit_segments() {  # PARTS [--array=...] -> array job id
  local parts=$1; shift
  sbatch --parsable --chdir="$scratch/jobs" --array="1-$segments" "$@" \
    --export="ALL,INPUT=$clip,PARTS=$parts,SEGMENTS=$segments" \
    "$repo/deploy/slurm/hdrup-segments.sbatch" "${convert_opts[@]}" | cut -d';' -f1
}
submit_concat() {  # DEPENDENCY PARTS OUTPUT -> job id
  sbatch --parsable --chdir="$scratch/jobs" --dependency="$1" \
    --export="ALL,INPUT=$clip,PARTS=$2,OUTPUT=$3" "$repo/deploy/slurm/hdrup-concat.sbatch" | cut -d';' -f1
}
check_tasks() {  # ARRAY STATE...: the states of tasks 1..N, in order
  local j=$1 k; shift
  for k in $(seq 1 "$segments"); do
    [ "$(state "${j}_$k")" = "$1" ] || fail "task ${j}_$k is $(state "${j}_$k"), expected $1 ($(field "${j}_$k" ExitCode))"
    shift
  done
}
same_as_single() {  # FILE: decoded frames, then bytes, against the single run
  local md5
  [ -f "$1" ] || fail "$1 was not written"
  md5=$(ffmpeg -hide_banner -loglevel error -nostdin -i "$1" -map 0:v:0 -f framemd5 - | grep -v '^#')
  [ "$md5" = "$single_md5" ] || fail "$(basename "$1"): decoded frames differ from the single run's"
  cmp -s "$1" "$scratch/single.mkv" || fail "$(basename "$1"): same frames as the single run, different bytes"
  echo "$(grep -c . <<< "$md5") decoded frames identical (framemd5), byte-identical ($(stat -c %s "$1") bytes)"
}
others() { seq 1 "$segments" | grep -vx "$1" | paste -sd, -; }   # K -> "1,3,4"
copy_parts_except() {  # FROM TO K: the finished parts of run A but segment K (their tasks exit at once)
  mkdir -p "$2"
  for f in "$1"/part-*.mkv; do [ "$(basename "$f")" = "$(printf 'part-%03d.mkv' "$3")" ] || cp "$f" "$2/"; done
}
requeue_now() {  # TASK: requeue, and skip the two-minute wait Slurm puts before a requeued job
  scontrol requeue "$1"
  wait_until "$1 to be pending again" is_state "$1" PENDING
  scontrol update JobId="$1" StartTime=now
}
kill_while_running() {  # TASK WORKDIR HOW: HOW the task once it has cached two frames
  wait_until "$1 to cache frames" has_frames "$2" 2
  $3 "$1"
  say "  $3 $1 after $(cached_frames "$2") cached frames"
}

# ---------------------------------------------------------------------------------------------
# The reference: one convert on this machine.
t0=$SECONDS
"${hdrup[@]}" convert "$clip" -o "$scratch/single.mkv" "${convert_opts[@]}" > "$scratch/log/single.log" 2>&1 \
  || fail "single convert failed: $(tail -n 3 "$scratch/log/single.log")"
single_md5=$(ffmpeg -hide_banner -loglevel error -nostdin -i "$scratch/single.mkv" -map 0:v:0 -f framemd5 - | grep -v '^#')
say "single convert: $((SECONDS - t0)) s, $(stat -c %s "$scratch/single.mkv") bytes"

# A. The array and the dependent concat, as deploy/README.md submits them.
t0=$SECONDS
a=$(submit_segments "$scratch/parts-a")
ca=$(submit_concat "afterok:$a" "$scratch/parts-a" "$scratch/joined-a.mkv")
say "A: sbatch --array=1-$segments hdrup-segments.sbatch -> job $a; hdrup-concat.sbatch --dependency=afterok:$a -> job $ca"
wait_until "jobs $a and $ca" gone "$a,$ca"
check_tasks "$a" $(printf 'COMPLETED %.0s' $(seq 1 "$segments"))
[ "$(state "$ca")" = COMPLETED ] || fail "concat job $ca is $(state "$ca") ($(field "$ca" Reason))"
same=$(same_as_single "$scratch/joined-a.mkv")
say "A: all $segments tasks and the concat COMPLETED in $((SECONDS - t0)) s; $same"

# B. Task 2 requeued while it runs (what a node failure or preemption does to a --requeue job):
# Slurm kills it and starts it again; it resumes from its cache and the concat runs by itself.
t0=$SECONDS
copy_parts_except "$scratch/parts-a" "$scratch/parts-b" 2
b=$(submit_segments "$scratch/parts-b")
cb=$(submit_concat "afterok:$b" "$scratch/parts-b" "$scratch/joined-b.mkv")
say "B: array $b (parts $(others 2) already there), concat $cb; requeue task 2 while it runs"
kill_while_running "${b}_2" "$scratch/parts-b/.part-002.mkv.hdrup-work" requeue_now
wait_until "jobs $b and $cb" gone "$b,$cb"
check_tasks "$b" $(printf 'COMPLETED %.0s' $(seq 1 "$segments"))
[ "$(state "$cb")" = COMPLETED ] || fail "concat job $cb is $(state "$cb") ($(field "$cb" Reason))"
[ "$(field "${b}_2" Restarts)" = 1 ] || fail "task ${b}_2 was not restarted"
resumed=$(grep -o '([0-9]* from the previous run)' "$scratch/jobs/hdrup-segment-${b}_2.log" || true)
[ -n "$resumed" ] || fail "task ${b}_2 did not resume from its cache"
same=$(same_as_single "$scratch/joined-b.mkv")
say "B: task 2 restarted once and resumed $resumed; concat ran on its own, $((SECONDS - t0)) s; $same"

# C. Task 3 cancelled while it runs (scancel), then requeued. afterok on the whole array can no
# longer be met once a task has ended CANCELLED, even after a requeue, so the waiting concat is
# pointed at the tasks themselves (finished ones drop out of the list).
t0=$SECONDS
copy_parts_except "$scratch/parts-a" "$scratch/parts-c" 3
c=$(submit_segments "$scratch/parts-c")
cc=$(submit_concat "afterok:$c" "$scratch/parts-c" "$scratch/joined-c.mkv")
say "C: array $c (parts $(others 3) already there), concat $cc; scancel task 3 while it runs"
kill_while_running "${c}_3" "$scratch/parts-c/.part-003.mkv.hdrup-work" scancel
wait_until "task ${c}_3 to end" gone "${c}_3"
[ "$(state "${c}_3")" = CANCELLED ] || fail "task ${c}_3 is $(state "${c}_3") after scancel, expected CANCELLED"
left=$(cached_frames "$scratch/parts-c/.part-003.mkv.hdrup-work")
wait_until "the concat to give up on afterok:$c" pending_never "$cc"
say "  task 3 CANCELLED ($left frames left in its cache); concat $cc: $(field "$cc" Reason) ($(field "$cc" Dependency))"
requeue_now "${c}_3"
scontrol update JobId="$cc" Dependency="afterok:$(seq -s : -f "${c}_%g" 1 "$segments")"
say "  scontrol requeue ${c}_3; scontrol update JobId=$cc Dependency=afterok:${c}_1:...:${c}_$segments"
wait_until "jobs $c and $cc" gone "$c,$cc"
check_tasks "$c" $(printf 'COMPLETED %.0s' $(seq 1 "$segments"))
[ "$(state "$cc")" = COMPLETED ] || fail "concat job $cc is $(state "$cc") ($(field "$cc" Reason))"
resumed=$(grep -o '([0-9]* from the previous run)' "$scratch/jobs/hdrup-segment-${c}_3.log" || true)
[ -n "$resumed" ] || fail "task ${c}_3 did not resume from its cache"
same=$(same_as_single "$scratch/joined-c.mkv")
say "C: task 3 resumed $resumed, $((SECONDS - t0)) s; $same"

# D. A task that fails: a file that is not segment 2's part sits where segment 2 writes (a stale
# file of another job), so hdrup refuses to overwrite it and the task exits 1. The concat must
# never start.
t0=$SECONDS
copy_parts_except "$scratch/parts-a" "$scratch/parts-d" 2
echo "not a part" > "$scratch/parts-d/part-002.mkv"
d=$(submit_segments "$scratch/parts-d")
cd_=$(submit_concat "afterok:$d" "$scratch/parts-d" "$scratch/joined-d.mkv")
say "D: array $d with a foreign file as part-002.mkv, concat $cd_"
wait_until "array $d" gone "$d"
check_tasks "$d" COMPLETED FAILED $(printf 'COMPLETED %.0s' $(seq 3 "$segments"))
[ "$(field "${d}_2" ExitCode)" = 1:0 ] || fail "task ${d}_2 exit code $(field "${d}_2" ExitCode), expected 1:0"
wait_until "the concat to give up on afterok:$d" pending_never "$cd_"
[ "$(state "$cd_")" = PENDING ] && [ ! -e "$scratch/jobs/hdrup-concat-$cd_.log" ] || fail "concat $cd_ ran: $(state "$cd_")"
[ ! -e "$scratch/joined-d.mkv" ] || fail "joined-d.mkv was written although a task failed"
say "D: task 2 FAILED 1:0: $(grep 'hdrup: error' "$scratch/jobs/hdrup-segment-${d}_2.log" | head -1)"
say "D: concat $cd_ PENDING, Reason=$(field "$cd_" Reason), never started; cancelled now ($((SECONDS - t0)) s)"
scancel "$cd_"
wait_until "concat $cd_ to be cancelled" is_state "$cd_" CANCELLED

# What accounting shows: sacct --completion reads jobcomp/filetxt. Slurm 22.05's reader does not
# know the array fields the writer adds (it prints "Unknown type ArrayJobId" on stderr and the
# JobID column is the raw job id), so the array task of each raw id is given from scontrol.
say "sacct --completion (raw id = array task):"
ids=$(for k in $(seq 1 "$segments"); do echo "$(field "${d}_$k" JobId)=${d}_$k"; done; echo "$cd_=concat")
sacct --completion --format=JobIDRaw,JobName%15,State,ExitCode,Elapsed 2>/dev/null |
  awk -v map="$ids" -v from="$d" '
    BEGIN { n = split(map, m, "\n"); for (i = 1; i <= n; i++) { split(m[i], kv, "="); task[kv[1]] = kv[2] } }
    NR <= 2 { print "    " $0; next }
    $1 + 0 >= from + 0 { printf "    %s%s\n", $0, ($1 in task ? "  = " task[$1] : "") }'
say "passed: array + concat byte-identical to a single convert; requeued, cancelled+requeued and failed tasks as expected ($((SECONDS - t_start)) s)"
