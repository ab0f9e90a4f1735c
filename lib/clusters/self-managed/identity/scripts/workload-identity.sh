# shellcheck shell=bash
# Workload identity, server part (rendered after common.sh, before the distribution's script, only when the
# cluster's workloadIdentity is on). The API server signs service-account tokens with the public issuer
# (first --service-account-issuer) and still accepts the distribution's default one, so tokens issued before
# the change keep working; --service-account-jwks-uri points the discovery document at the published JWKS.
# The cdk-k8s-platform-identity timer publishes the documents the API server serves to the issuer's bucket
# and keeps the pod identity webhook's TLS certificate (a Secret and the webhook's caBundle) current.
IDENTITY_MODE='@@IDENTITY_MODE@@'
IDENTITY_REGION='@@REGION@@'
ISSUER_URL='@@ISSUER_URL@@'
JWKS_URI='@@JWKS_URI@@'
PREVIOUS_ISSUER='@@PREVIOUS_ISSUER@@'
ISSUER_BUCKET='@@ISSUER_BUCKET@@'
IDENTITY_TOOL_URL='@@IDENTITY_TOOL_URL@@'
WEBHOOK_NAMESPACE='@@WEBHOOK_NAMESPACE@@'
WEBHOOK_NAME='@@WEBHOOK_NAME@@'

# k3s: a drop-in next to config.yaml (k3s reads config.yaml.d/*.yaml after it); kube-apiserver-arg keeps
# repeated flags in order. kubeadm: the apiServer extraArgs (v1beta4, a list of name/value pairs) the
# control-plane script puts into its ClusterConfiguration.
write_identity_config() {
  if [ "$IDENTITY_MODE" = k3s ]; then
    local dir="${ROOT}/etc/rancher/k3s/config.yaml.d"
    mkdir -p "$dir"
    {
      echo "kube-apiserver-arg:"
      echo "  - \"service-account-issuer=$ISSUER_URL\""
      echo "  - \"service-account-issuer=$PREVIOUS_ISSUER\""
      echo "  - \"service-account-jwks-uri=$JWKS_URI\""
    } > "$dir/50-workload-identity.yaml"
    chmod 0600 "$dir/50-workload-identity.yaml"
  else
    KUBEADM_APISERVER_EXTRA_ARGS=$(printf '  extraArgs:\n    - name: service-account-issuer\n      value: "%s"\n    - name: service-account-issuer\n      value: "%s"\n    - name: service-account-jwks-uri\n      value: "%s"' \
      "$ISSUER_URL" "$PREVIOUS_ISSUER" "$JWKS_URI")
    export KUBEADM_APISERVER_EXTRA_ARGS
  fi
}

# The settings of the identity tool (names and URLs only, no secret) and its timer: first run 2 minutes
# after boot, then every 5 minutes; a run before the API answers fails and the next one retries.
install_identity_timer() {
  local units="${ROOT}/etc/systemd/system" name=cdk-k8s-platform-identity
  mkdir -p "${ROOT}/etc/cdk-k8s-platform" "$units"
  printf "%s='%s'\n" IDENTITY_MODE "$IDENTITY_MODE" REGION "$IDENTITY_REGION" ISSUER_URL "$ISSUER_URL" ISSUER_BUCKET "$ISSUER_BUCKET" \
    WEBHOOK_NAMESPACE "$WEBHOOK_NAMESPACE" WEBHOOK_NAME "$WEBHOOK_NAME" > "${ROOT}/etc/cdk-k8s-platform/workload-identity.env"
  printf '[Unit]\nDescription=Publish the service-account issuer documents; renew the pod identity webhook certificate\n[Service]\nType=oneshot\nEnvironment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin\nExecStartPre=/bin/sh -c %s\nExecStart=/usr/local/sbin/%s\n' \
    "'test -x /usr/local/sbin/$name || (aws s3 cp --only-show-errors --region $IDENTITY_REGION $IDENTITY_TOOL_URL /usr/local/sbin/$name && chmod 0700 /usr/local/sbin/$name)'" \
    "$name" > "$units/$name.service"
  printf '[Unit]\nDescription=Run %s every 5 minutes\n[Timer]\nOnBootSec=2min\nOnUnitActiveSec=5min\n[Install]\nWantedBy=timers.target\n' \
    "$name" > "$units/$name.timer"
  retry systemctl daemon-reload
  retry systemctl enable "$name.timer"
  retry systemctl start "$name.timer"
}

write_identity_config
install_identity_timer
