#!/usr/bin/env bash
# Build everything and run the main job against real services.
#
# Creates .venv, brings up the local stack (a real Keystone and the
# reference Sidecar server, see tools/stack.py), then uses both command
# lines the way an operator would: creates a few evacuation events, lists
# them, walks one through set/show/delete with `openstack sidecar`, and
# does the same with the legacy `sidecar` shell. The stack keeps running
# afterwards; a second run reuses it.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

tools/venv.sh
export PATH=$top/.venv/bin:$PATH
python tools/stack.py up

# The admin's openrc: OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, ...
# shellcheck disable=SC1091
. .stack/openrc

run() {
    printf '\n$ %s\n' "$*"
    "$@"
}

# Names must be unique on the server: tag this run's events.
tag=demo-$(date +%Y%m%d-%H%M%S)
node=$(python -c 'import uuid; print(uuid.uuid4())')
vm1=$(python -c 'import uuid; print(uuid.uuid4())')
vm2=$(python -c 'import uuid; print(uuid.uuid4())')

echo
echo "=== openstack sidecar (OpenStackClient plugin) ==="
run openstack sidecar version list
run openstack sidecar event create "$tag-host-1" --node "$node" \
    --vm "$vm1" --vm "$vm2"
run openstack sidecar event create "$tag-host-2" --node "$node"
run openstack sidecar event create "$tag-host-3" --node "$node" --vm "$vm1"
run openstack sidecar event list --limit 5
run openstack sidecar event set "$tag-host-1" --status running
run openstack sidecar event set "$tag-host-1" --status completed \
    --vm "$(python -c 'import uuid; print(uuid.uuid4())')"
run openstack sidecar event show "$tag-host-1"
run openstack sidecar event delete "$tag-host-1"
run openstack sidecar event list --name "$tag-host-2" --long -f json

echo
echo "=== sidecar (legacy shell) ==="
run sidecar all-versions
run sidecar evacuates-event-create --name "$tag-legacy" \
    --node-uuid "$node" --vm-uuid-list "$vm1,$vm2"
id=$(openstack sidecar event show "$tag-legacy" -f value -c id)
run sidecar evacuates-events-list --node-uuid "$node" --limit 5
run sidecar evacuates-event-edit --id "$id" --event-status completed
run sidecar evacuates-event-detail --id "$id"
run sidecar evacuates-event-delete --id "$id"

cat <<MSG

Done. The stack is still running; to use it from your shell:
  . .stack/openrc && export PATH=$top/.venv/bin:\$PATH
  openstack sidecar event list
Stop it with: .venv/bin/python tools/stack.py down
MSG
