# shellcheck shell=bash
# Workload identity, every server: the cdk-k8s-platform-identity timer (2 minutes after boot, then every 5
# minutes) publishes the documents the API server serves to the issuer's bucket and keeps the pod identity
# webhook's TLS certificate current. Its settings (names and URLs only, no secret) go to an env file; the
# tool itself (an S3 asset) is fetched by the unit's first run. A run before the API answers fails and the
# next one retries.
IDENTITY_MODE='@@IDENTITY_MODE@@'
IDENTITY_REGION='@@REGION@@'
ISSUER_BUCKET='@@ISSUER_BUCKET@@'
IDENTITY_TOOL_URL='@@IDENTITY_TOOL_URL@@'

install_identity_timer() {
  local units="${ROOT}/etc/systemd/system" name=cdk-k8s-platform-identity
  mkdir -p "${ROOT}/etc/cdk-k8s-platform" "$units"
  printf "%s='%s'\n" IDENTITY_MODE "$IDENTITY_MODE" REGION "$IDENTITY_REGION" ISSUER_URL "$ISSUER_URL" ISSUER_BUCKET "$ISSUER_BUCKET" \
    > "${ROOT}/etc/cdk-k8s-platform/workload-identity.env"
  printf '[Unit]\nDescription=Publish the OIDC documents, renew the webhook certificate\n[Service]\nType=oneshot\nEnvironment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin\nExecStartPre=/bin/sh -c %s\nExecStart=/usr/local/sbin/%s\n' \
    "'test -x /usr/local/sbin/$name || (aws s3 cp --only-show-errors --region $IDENTITY_REGION $IDENTITY_TOOL_URL /usr/local/sbin/$name && chmod 0700 /usr/local/sbin/$name)'" \
    "$name" > "$units/$name.service"
  printf '[Unit]\nDescription=Run %s every 5 minutes\n[Timer]\nOnBootSec=2min\nOnUnitActiveSec=5min\n[Install]\nWantedBy=timers.target\n' \
    "$name" > "$units/$name.timer"
  retry systemctl daemon-reload
  retry systemctl enable "$name.timer"
  retry systemctl start "$name.timer"
}

install_identity_timer
