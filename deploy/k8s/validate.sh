#!/usr/bin/env bash
# Validates deploy/k8s/*.yaml offline against the API schema of Kubernetes v1.36.0 (validate.mjs
# says how), then checks that the validator catches errors: broken copies of the manifests must
# be refused. Needs node and npm (installed from apt when missing); the pinned npm packages go
# into a scratch folder that is removed at the end.   ./dev.sh k8s   runs this.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "k8s: installing nodejs and npm from apt" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hdrup-k8s.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# kubernetes-models 5.1.0: Kubernetes v1.36.0's OpenAPI definitions as ajv validators and type
# declarations. typescript 5.9 (not 7, which has no JavaScript API) reads those declarations.
( cd "$scratch" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --loglevel=error kubernetes-models@5.1.0 yaml@2.9.1 typescript@5.9.3 >/dev/null )
cp "$here/validate.mjs" "$scratch/"

echo "k8s: deploy/k8s against Kubernetes v1.36.0 (kubernetes-models 5.1.0, node $(node --version))"
node "$scratch/validate.mjs" "$here"/*.yaml | sed 's/^/  /'

# Broken copies, each with one mistake the validator must name.
broken() {  # NAME SOURCE SED-EXPRESSION EXPECTED-MESSAGE
  local copy="$scratch/$1.yaml" out
  sed "$3" "$here/$2" > "$copy"
  cmp -s "$copy" "$here/$2" && { echo "k8s: error: $1: the edit did not apply to $2" >&2; exit 1; }
  if out=$(node "$scratch/validate.mjs" "$copy"); then
    echo "k8s: error: $1 was accepted: $out" >&2; exit 1
  fi
  grep -qF "$4" <<< "$out" || { echo "k8s: error: $1 refused for another reason: $out" >&2; exit 1; }
  echo "  refused as expected: $1 ($(grep -F "$4" <<< "$out" | head -1 | sed 's/^ *//'))"
}
broken misspelt-field segments-job.yaml 's/backoffLimitPerIndex:/backoffLimitPerIndx:/' 'unknown field "backoffLimitPerIndx"'
broken bad-enum segments-job.yaml 's/completionMode: Indexed/completionMode: Index/' '/spec/completionMode must be equal to one of the allowed values'
broken string-count segments-job.yaml 's/completions: 8/completions: "8"/' '/spec/completions must be integer'
broken misplaced-field concat-job.yaml 's/^      restartPolicy: Never/      restartPolicy: Never\n      backoffLimit: 2/' 'unknown field "backoffLimit"'
broken bad-access-mode pvc.yaml 's/ReadWriteMany/ReadWriteMny/' '/spec/accessModes/0 must be equal to one of the allowed values'
echo "k8s: passed"
