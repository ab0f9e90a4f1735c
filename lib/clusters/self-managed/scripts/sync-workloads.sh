#!/bin/bash
# Delivers the cluster's workloads on a server: run by an SSM State Manager association when they change, on
# every new server and on a schedule (drift repair). k3s and kubeadm alike: server-side apply of each delivery
# with the library's field manager, then a prune driven by what earlier syncs applied, never by a label query:
#
# - Each delivery's inventory (the '# object:' header of its manifest file) is kept IN THE CLUSTER, in the
#   ConfigMap kube-system/cdk-k8s-platform-inventory-<id>: it follows etcd snapshots and server replacements.
# - An object is deleted only when an inventory lists it, no current delivery lists it, and it still carries
#   the library's label. Controllers copy labels onto what they make (claims, Endpoints): those objects are in
#   no inventory, so they are never candidates.
# - Never deleted, even when removed from the code: PersistentVolumeClaims, PersistentVolumes, Endpoints,
#   EndpointSlices, Events, Leases, CustomResourceDefinitions, Nodes; a Namespace while it holds claims, objects
#   a delivery still lists, or objects the library did not apply.
set -euo pipefail
shopt -s nullglob
umask 077
export TZ=UTC
MODE='@@MODE@@'
REGION='@@REGION@@'
# One addWorkloads delivery per line: <id> <S3 URL of its bundle: one manifest file per chart (format v1: an
# '# object: ' header line per object), each its own delivery on the server, named <id>-<chart> or <id>>
DELIVERIES='@@DELIVERIES@@'

ROOT="${CDK_K8S_ROOT:-}"
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
WORK="$STATE_DIR/sync"
BUNDLES="$WORK/bundles"
LEGACY_K3S_DIR="${ROOT}/var/lib/rancher/k3s/server/manifests"
LEGACY_WORK="$STATE_DIR/deliveries"
HEADER='# cdk-k8s-platform manifest v1'
BUNDLE_HEADER='# cdk-k8s-platform manifest bundle v1'
FIELD_MANAGER=cdk-k8s-platform
MANAGED='app.kubernetes.io/managed-by=cdk-k8s-platform'
INVENTORY_PREFIX=cdk-k8s-platform-inventory-
INVENTORY_LABEL=platform.cdk-k8s.io/inventory
KEEP_KINDS=' PersistentVolumeClaim PersistentVolume Endpoints EndpointSlice Event Lease CustomResourceDefinition Node '

declare -a IDS=()            # the deliveries (manifest files) of the code, in order
declare -A WANTED=()         # '<kind>|<namespace>|<name>' of every object some delivery lists now
declare -A PREVIOUS=()       # delivery id -> its recorded inventory ('<apiVersion>|<kind>|<namespace>|<name>' lines)
declare -A CURRENT=()        # delivery id -> what it lists now
declare -A RETAINED=()       # objects removed from the code but not deleted (retried next time)
declare -A LEGACY=()         # deliveries whose inventory comes from the version before inventories
declare -A LISTED=()         # '<kind>|<namespace>|<name>' of every object an inventory lists (the library's)
FAILED=0

log() { printf '%(%Y-%m-%dT%H:%M:%SZ)T cdk-k8s-platform sync: %s\n' -1 "$*" >&2; }
kc() {
  if [ "$MODE" = k3s ]; then k3s kubectl "$@"; else kubectl --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" "$@"; fi
}
# retry CMD...: up to 4 attempts, 5 s, 10 s, 20 s apart (a CRD applied in the same file needs a moment).
retry() {
  local n=1 delay="${RETRY_DELAY:-5}"
  until "$@"; do
    if [ "$n" -ge 4 ]; then log "giving up after $n attempts: $*"; return 1; fi
    sleep "$delay"
    n=$((n + 1))
    delay=$((delay * 2))
  done
}

# header_objects FILE: sets OBJECTS to the '<apiVersion>|<kind>|<namespace>|<name>' lines of a manifest file's
# header. (Functions here set a variable instead of printing: no subshell, which costs a process.)
header_objects() {
  local line
  OBJECTS=''
  while IFS= read -r line; do
    case "$line" in
      '# object: '*) OBJECTS+="${line#'# object: '}"$'\n' ;;
      ---) return 0 ;;
    esac
  done < "$1"
}

# want OBJECT: marks an object as listed by the code (an object without namespace is the one in "default").
want() {
  local k="${1#*|}" kind ns name
  IFS='|' read -r kind ns name <<< "$k"
  WANTED[$k]=1
  if [ -z "$ns" ]; then WANTED[$kind|default|$name]=1; elif [ "$ns" = default ]; then WANTED[$kind||$name]=1; fi
}

wait_for_bootstrap() {
  local n=0
  until [ -f "$STATE_DIR/ready" ]; do
    n=$((n + 1))
    if [ "$n" -gt "${READY_ATTEMPTS:-180}" ]; then log "the node bootstrap did not finish"; exit 1; fi
    sleep "${RETRY_DELAY:-10}"
  done
}

# A bundle: '# file: <id> <lines>' header lines, then the files one after the other. awk writes each file to
# $WORK/<id>.yaml and prints the ids in order; a bundle whose header or line counts do not add up fails.
# shellcheck disable=SC2016
UNBUNDLE='
NR == 1 { if ($0 != header) { err = "not a manifest bundle v1"; exit } next }
stage == 0 && /^# delivery: / { next }
stage == 0 && /^# files: [0-9]+$/ { total = $3 + 0; stage = (total > 0) ? 1 : 3; next }
stage == 0 { err = "bad header line " NR; exit }
stage == 1 {
  if ($0 !~ /^# file: [a-z0-9]([-a-z0-9]*[a-z0-9])? [1-9][0-9]*$/) { err = "bad file line " NR; exit }
  ids[++n] = $3; left[n] = $4 + 0
  if (n == total) { stage = 2; i = 1; out = dir "/" ids[1] ".yaml"; printf "" > out }
  next
}
stage == 2 {
  print > out
  if (--left[i] > 0) next
  close(out); print ids[i]
  if (++i > total) { stage = 3; next }
  out = dir "/" ids[i] ".yaml"; printf "" > out
  next
}
stage == 3 { err = "more lines than its files hold"; exit }
END {
  if (err == "" && stage != 3) err = "ends before its last file does"
  if (err != "") { print err > "/dev/stderr"; exit 1 }
}'

# Downloads every delivery's bundle and splits it into its manifest files; a missing or foreign file stops
# the sync before anything changes.
download() {
  local delivery url files id first object
  [ -d "$BUNDLES" ] || mkdir -p "$BUNDLES"
  while read -r delivery url; do
    [ -n "$delivery" ] || continue
    retry aws s3 cp --region "$REGION" --only-show-errors "$url" "$BUNDLES/$delivery.yaml"
    if ! files=$(awk -v dir="$WORK" -v header="$BUNDLE_HEADER" "$UNBUNDLE" "$BUNDLES/$delivery.yaml"); then
      log "delivery $delivery: $url is not a manifest bundle v1"
      exit 1
    fi
    for id in $files; do
      if [ "${CURRENT[$id]+x}" ]; then log "delivery $delivery: the manifest file $id is also in another delivery"; exit 1; fi
      IFS= read -r first < "$WORK/$id.yaml" || true
      if [ "$first" != "$HEADER" ]; then log "delivery $delivery: $id is not a manifest file v1"; exit 1; fi
      header_objects "$WORK/$id.yaml"
      CURRENT[$id]=$OBJECTS
      while IFS= read -r object; do [ -z "$object" ] || want "$object"; done <<< "${CURRENT[$id]}"
      IDS+=("$id")
    done
  done <<< "$DELIVERIES"
}

# The inventories earlier syncs recorded in the cluster, then those of the version before inventories existed
# (k3s: the files it left in the auto-deploy directory; kubeadm: its downloads on this server).
read_inventories() {
  local refs ref id f
  # its own assignment, so a failed call stops the sync (an empty list would forget what earlier syncs applied)
  refs=$(kc get configmaps -n kube-system -l "$INVENTORY_LABEL" -o name)
  for ref in $refs; do
    id=${ref#*/"$INVENTORY_PREFIX"}
    PREVIOUS[$id]=$(kc get configmap "$INVENTORY_PREFIX$id" -n kube-system -o 'jsonpath={.binaryData.objects}' | base64 -d | gunzip)
  done
  for f in "$LEGACY_K3S_DIR"/cdk-k8s-platform-*.yaml "$LEGACY_WORK"/*.yaml; do
    id=${f##*/}
    id=${id#cdk-k8s-platform-}
    id=${id%.yaml}
    if [ -z "${PREVIOUS[$id]+x}" ]; then
      log "delivery $id: inventory taken from $f (first sync of this version)"
      header_objects "$f"
      PREVIOUS[$id]=$OBJECTS
      LEGACY[$id]=1
    fi
  done
}

# merge TEXT...: sets MERGED to the distinct non-empty lines of the texts, in first-seen order.
merge() {
  local -A seen=()
  local text line
  MERGED=''
  for text in "$@"; do
    while IFS= read -r line; do
      if [ -n "$line" ] && [ -z "${seen[$line]+x}" ]; then seen[$line]=1; MERGED+="$line"$'\n'; fi
    done <<< "$text"
  done
}

# record ID TEXT: stores TEXT as delivery ID's inventory, unless it is already what the cluster holds
# (gzip: a ConfigMap holds at most 1 MiB).
record() {
  local id="$1" text
  merge "$2"
  text=$MERGED
  if [ "${PREVIOUS[$id]+x}" ] && [ -z "${LEGACY[$id]+x}" ]; then
    merge "${PREVIOUS[$id]}"
    if [ "$text" = "$MERGED" ]; then return 0; fi
  fi
  {
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s%s\n  namespace: kube-system\n' "$INVENTORY_PREFIX" "$id"
    printf '  labels:\n    %s: "%s"\nbinaryData:\n  objects: ' "$INVENTORY_LABEL" "$id"
    printf '%s' "$text" | gzip -9n | base64 -w0
    printf '\n'
  } > "$WORK/inventory-$id.yaml"
  kc apply --server-side --force-conflicts --field-manager="$FIELD_MANAGER" -f "$WORK/inventory-$id.yaml" >/dev/null
  PREVIOUS[$id]=$text
  unset "LEGACY[$id]"
}

# without_bound_volumes FILE: the manifest file without the PersistentVolumes that name a claimRef and are
# already bound to their claim (a claimRef with a uid); each one left out is named on stderr. Server-side apply
# replaces a claimRef as a whole (ObjectReference is atomic): applying a RestoredVolume again would drop the uid
# the PV controller wrote, and the claim would turn Lost (a terminal phase). A volume not bound yet (reserved for a
# claim that does not exist yet) is applied as usual. Documents start at the library's own `---` lines; kind and
# metadata.name are its top-level and two-space keys (a name the YAML writer quoted is unquoted).
without_bound_volumes() {
  local bound
  bound=$(kc get persistentvolumes -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.claimRef.uid}{"\n"}{end}' \
    | awk 'NF == 2 { printf " %s", $1 }') || return 1
  # shellcheck disable=SC2016
  awk -v bound="$bound " '
    function flush() {
      if (doc != "" && kind == "PersistentVolume" && claimed && index(bound, " " name " ") > 0) {
        printf "PersistentVolume %s is bound to its claim: left as it is\n", name > "/dev/stderr"
      } else if (doc != "") printf "%s", doc
      doc = ""; kind = ""; name = ""; meta = 0; spec = 0; claimed = 0
    }
    /^---$/ { flush(); doc = $0 "\n"; next }
    { doc = doc $0 "\n" }
    /^kind: / { kind = $2 }
    /^[^ ]/ { meta = 0; spec = 0 }
    /^metadata:/ { meta = 1; next }
    /^spec:/ { spec = 1; next }
    meta && name == "" && /^  name: / { name = $2; gsub(/^["\047]|["\047]$/, "", name) }
    spec && /^  claimRef:/ { claimed = 1 }
    END { flush() }' "$1"
}

# apply_delivery ID: server-side apply of a delivery. A StatefulSet whose claim templates (or other fields the
# API server keeps immutable) changed is refused; it is then deleted with --cascade=orphan and applied again:
# its pods keep running and are adopted, its claims stay as they are (existing claims are not resized).
apply_delivery() {
  local out name ns object file="$WORK/$1.yaml"
  if grep -q '^v1|PersistentVolume|' <<< "${CURRENT[$1]}"; then
    without_bound_volumes "$WORK/$1.yaml" > "$WORK/$1.apply.yaml" || return 1
    file="$WORK/$1.apply.yaml"
    # only bound volumes in it: nothing to apply (kubectl refuses a file without objects)
    if ! grep -q '^---$' "$file"; then log "delivery $1: nothing to apply but bound PersistentVolumes"; return 0; fi
  fi
  if out=$(kc apply --server-side --force-conflicts --field-manager="$FIELD_MANAGER" -f "$file" 2>&1); then return 0; fi
  printf '%s\n' "$out" >&2
  while IFS= read -r name; do
    while IFS= read -r object; do
      IFS='|' read -r _ _ ns _ <<< "$object"
      log "StatefulSet ${ns:-default}/$name: a field the API server keeps immutable changed (claim templates?): recreating it without touching its pods or claims (existing claims keep their size)"
      kc delete statefulsets.apps "$name" -n "${ns:-default}" --cascade=orphan --ignore-not-found >/dev/null
    done < <(grep -E "^apps/v1\|StatefulSet\|[^|]*\|$name\$" <<< "${CURRENT[$1]}" || true)
  done < <(sed -n 's/.*StatefulSet\.apps "\([^"]*\)" is invalid: spec: Forbidden: updates to statefulset spec.*/\1/p' <<< "$out")
  return 1
}

# Deletes one removed object: API type from apiVersion and kind (Deployment.v1.apps), only while it carries
# the library's label (someone who took an object over keeps it), without waiting for finalizers. A version
# the cluster no longer serves (after an upgrade) is retried with any served version of the kind; a kind the
# cluster does not serve at all has no object left to delete.
delete_object() {
  local api="$1" kind="$2" ns="$3" name="$4" type="$2" any="$2" err
  if [ "${api#*/}" != "$api" ]; then type="$kind.${api#*/}.${api%/*}"; any="$kind.${api%/*}"; fi
  log "deleting $kind ${ns:+$ns/}$name: no longer in the code"
  for type in "$type" "$any"; do
    if err=$(kc delete "$type" ${ns:+-n "$ns"} -l "$MANAGED" --field-selector "metadata.name=$name" --ignore-not-found --wait=false 2>&1 >/dev/null); then
      return 0
    fi
    [[ "$err" == *"doesn't have a resource type"* ]] || break
  done
  if [[ "$err" == *"doesn't have a resource type"* ]]; then log "$api $kind is not served by the cluster any more: nothing left to delete"; return 0; fi
  printf '%s\n' "$err" >&2
  return 1
}

# foreign_objects NAMESPACE: sets FOREIGN to what deleting the namespace would take with it besides the library's
# objects: objects no inventory lists and no controller made for an owner (a Secret cert-manager wrote, a
# release someone installed by hand). Events, Endpoints, EndpointSlices, Leases, claims (checked apart), the
# default ServiceAccount and kube-root-ca.crt come and go with the namespace.
foreign_objects() {
  local types listing kind name owner
  FOREIGN=''
  types=$(kc api-resources --verbs=list,delete --namespaced=true -o name) || return 1
  listing=$(kc get "${types//$'\n'/,}" -n "$1" --ignore-not-found \
    -o 'jsonpath={range .items[*]}{.kind}{"|"}{.metadata.name}{"|"}{.metadata.ownerReferences[0].uid}{"\n"}{end}') || return 1
  while IFS='|' read -r kind name owner; do
    if [ -z "$name" ] || [ -n "$owner" ] || [ "${LISTED[$kind|$1|$name]+x}" ]; then continue; fi
    case "$kind/$name" in
      Event/* | Endpoints/* | EndpointSlice/* | Lease/* | PersistentVolumeClaim/* | ServiceAccount/default | ConfigMap/kube-root-ca.crt) ;;
      *) FOREIGN+=" $kind/$name" ;;
    esac
  done <<< "$listing"
}

# want_listed KEY: records '<kind>|<namespace>|<name>' as the library's (no namespace: "default").
want_listed() {
  local kind ns name
  LISTED[$1]=1
  IFS='|' read -r kind ns name <<< "$1"
  if [ -z "$ns" ]; then LISTED[$kind|default|$name]=1; fi
}

# in_use NAMESPACE: some delivery lists an object in the namespace.
in_use() {
  local k
  for k in "${!WANTED[@]}"; do
    if [[ "$k" == *"|$1|"* ]]; then return 0; fi
  done
  return 1
}

# Deletes what earlier inventories list and no delivery lists now; Namespaces last.
prune() {
  local -A seen=()
  local -a objects=() namespaces=()
  local text object api kind ns name claims=''
  for text in "${PREVIOUS[@]}"; do
    while IFS= read -r object; do
      if [ -n "$object" ]; then want_listed "${object#*|}"; fi
      if [ -z "$object" ] || [ "${WANTED[${object#*|}]+x}" ] || [ "${seen[$object]+x}" ]; then continue; fi
      seen[$object]=1
      if [[ "$object" == *'|Namespace|'* ]]; then namespaces+=("$object"); else objects+=("$object"); fi
    done <<< "$text"
  done
  if [ "${#namespaces[@]}" -gt 0 ]; then
    claims=$(kc get persistentvolumeclaims --all-namespaces -o 'jsonpath={range .items[*]}{" "}{.metadata.namespace}{end}')
  fi
  for object in "${objects[@]}" "${namespaces[@]}"; do
    IFS='|' read -r api kind ns name <<< "$object"
    if [[ "$KEEP_KINDS" == *" $kind "* ]]; then
      log "kept $kind ${ns:+$ns/}$name although it left the code: the library never deletes a $kind (kubectl delete it on purpose)"
    elif [ "$kind" = Namespace ] && [[ "$claims " == *" $name "* ]]; then
      log "kept Namespace $name although it left the code: it holds PersistentVolumeClaims (docs/operations.md: releasing claims)"
      RETAINED[$object]=1
    elif [ "$kind" = Namespace ] && in_use "$name"; then
      log "kept Namespace $name although it left the code: a delivery still puts objects in it"
      RETAINED[$object]=1
    elif [ "$kind" = Namespace ] && ! foreign_objects "$name"; then
      log "kept Namespace $name: could not list what it holds; the next sync tries again"
      RETAINED[$object]=1
      FAILED=1
    elif [ "$kind" = Namespace ] && [ -n "$FOREIGN" ]; then
      log "kept Namespace $name although it left the code: it holds objects the library did not apply:$FOREIGN (delete them, or the namespace, on purpose)"
      RETAINED[$object]=1
    elif ! delete_object "$api" "$kind" "$ns" "$name"; then
      log "could not delete $kind ${ns:+$ns/}$name: kept in the inventory, the next sync tries again"
      RETAINED[$object]=1
      FAILED=1
    fi
  done
}

# The final inventories: what each delivery lists now, plus what it still holds but did not delete.
record_inventories() {
  local id object kept
  for id in "${!PREVIOUS[@]}"; do
    kept=''
    while IFS= read -r object; do
      if [ -n "$object" ] && [ "${RETAINED[$object]+x}" ]; then kept+="$object"$'\n'; fi
    done <<< "${PREVIOUS[$id]}"
    if [ "${CURRENT[$id]+x}" ] || [ -n "$kept" ]; then
      record "$id" "${CURRENT[$id]:-}"$'\n'"$kept"
    else
      log "delivery $id was removed: deleting its inventory"
      kc delete configmap "$INVENTORY_PREFIX$id" -n kube-system --ignore-not-found >/dev/null
    fi
  done
}

main() {
  local id
  local -a legacy
  wait_for_bootstrap
  # One sync at a time on this server (a change and the schedule may start two).
  exec 9> "$STATE_DIR/sync.lock"
  flock 9
  [ -d "$WORK" ] || mkdir -p "$WORK"
  download
  read_inventories
  # Record the union first: a sync that stops between apply and the end still knows what it applied.
  for id in "${IDS[@]}"; do record "$id" "${PREVIOUS[$id]:-}"$'\n'"${CURRENT[$id]}"; done
  for id in "${IDS[@]}"; do
    log "applying delivery $id"
    retry apply_delivery "$id"
  done
  # The version before this one: its files and downloads are now recorded in inventories.
  legacy=("$LEGACY_K3S_DIR"/cdk-k8s-platform-*.yaml)
  if [ -d "$LEGACY_WORK" ]; then legacy+=("$LEGACY_WORK"); fi
  if [ "${#legacy[@]}" -gt 0 ]; then rm -rf "${legacy[@]}"; fi
  prune
  record_inventories
  if [ "$FAILED" = 1 ]; then log "some removed objects could not be deleted (see above)"; exit 1; fi
  log "workloads in sync (${#WANTED[@]} object names in ${#IDS[@]} manifest files)"
}

main "$@"
