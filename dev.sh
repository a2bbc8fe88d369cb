#!/usr/bin/env bash
# HdrUp developer entry point: installs what a fresh Debian 12 machine with only the .NET 10 SDK
# lacks, builds, and runs the sample conversion or the test suite.
#   ./dev.sh sample   convert the bundled SDR sample clip to HDR10 (out/city-hdr10.mkv)
#   ./dev.sh test     run the whole test suite
#   ./dev.sh build    restore and build only
#   ./dev.sh slurm    run deploy/slurm's array end to end on a throwaway local Slurm cluster
#                     (installs slurm-wlm and munge; deploy/slurm/local-test.sh, docs/scale-out.md)
#   ./dev.sh k8s      validate deploy/k8s/*.yaml offline against the Kubernetes v1.36 API schema
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v ffmpeg  >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "dev.sh: installing ffmpeg (with libx265) from apt" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cmd="${1:-sample}"; shift || true
case "$cmd" in
  build)
    dotnet build HdrUp.sln -c Release -v quiet -nologo "$@"
    ;;
  sample)
    dotnet build src/HdrUp.Cli/HdrUp.Cli.csproj -c Release -v quiet -nologo
    mkdir -p out
    dotnet src/HdrUp.Cli/bin/Release/net10.0/hdrup.dll convert samples/city.mp4 -o out/city-hdr10.mkv --force "$@"
    ;;
  test)
    dotnet build HdrUp.sln -c Release -v quiet -nologo
    log=$(mktemp)
    set +e
    dotnet test HdrUp.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    # One closing line for the whole suite, summed over the test projects.
    awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
           if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    exit "$rc"
    ;;
  slurm)
    dotnet build src/HdrUp.Cli/HdrUp.Cli.csproj -c Release -v quiet -nologo
    HDRUP="dotnet $PWD/src/HdrUp.Cli/bin/Release/net10.0/hdrup.dll" deploy/slurm/local-test.sh "$@"
    ;;
  k8s)
    deploy/k8s/validate.sh
    ;;
  *)
    echo "usage: ./dev.sh [sample|test|build|slurm|k8s]" >&2; exit 2 ;;
esac
